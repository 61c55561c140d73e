import type { ObjectTypeDef } from '../metadata.js';
import { columnName, tableName } from '../metadata.js';
import { readSetting, writeSetting } from '../settings.js';
import type { Db } from '../storage/index.js';
import { searchKeyColumns } from './object-rows.js';

const BATCH = 1000;

/**
 * Recomputes the stored search keys of a type when its declared search groups changed (or the columns
 * are new), so that an upgraded infobase finds its existing objects as a fresh one would.
 */
export async function refreshSearchKeys(db: Db, def: ObjectTypeDef): Promise<void> {
  const declared = JSON.stringify({ version: 1, groups: def.searchFields ?? [] });
  const settingKey = `searchKeys.${def.name}`;
  if ((await readSetting(db, settingKey)) === declared) return;
  const fields = [...new Set((def.searchFields ?? []).flat())];
  const columns = fields.map((field) => (field === 'code' ? 'code' : columnName(field)));
  await db.transaction().execute(async (trx) => {
    let after = '';
    for (;;) {
      const rows = await trx
        .selectFrom(tableName(def))
        .select(['ref', ...columns.filter((column) => column !== 'ref')])
        .where('ref', '>', after)
        .orderBy('ref')
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      after = String(rows[rows.length - 1]!.ref);
      for (const row of rows) {
        const values = Object.fromEntries(fields.map((field, index) => [field, row[columns[index]!]]));
        await trx
          .updateTable(tableName(def))
          .set(searchKeyColumns(def, values))
          .where('ref', '=', row.ref)
          .execute();
      }
    }
    await writeSetting(trx, settingKey, declared);
  });
}
