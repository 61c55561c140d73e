import type { Db, TableSpec } from './storage/index.js';
import { text } from './storage/index.js';

export const settingsTable: TableSpec = {
  name: 'settings',
  columns: [
    { name: 'key', type: text, notNull: true },
    { name: 'value', type: text, notNull: true },
  ],
  primaryKey: ['key'],
};

export async function readSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row === undefined ? undefined : String(row.value);
}

export async function writeSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
    .execute();
}

export async function readPrefix(db: Db): Promise<string> {
  return (await readSetting(db, 'prefix')) ?? '';
}
