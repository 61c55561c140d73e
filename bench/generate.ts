import { join } from 'node:path';
import { sql } from 'kysely';
import { applications } from '../src/apps/index.js';
import type { ApplicationName } from '../src/platform/metadata.js';
import { loadHostKey } from '../src/platform/secret-box.js';
import { type Db, openStorage } from '../src/platform/storage/index.js';
import { postgresDialect } from '../src/platform/storage/postgres-storage.js';
import { openSqliteFile, sqliteDialect } from '../src/platform/storage/sqlite-storage.js';
import { createServices } from '../src/server/services.js';
import { batchInserter, type Counters, counterRows, objectRows, sqliteInserter } from './bulk-rows.js';
import type { GeneratedObject } from './dataset.js';

export const LOGIN = 'sc12345';
export const PASSWORD = 'Bench-pass1';

export type InfobaseToGenerate = {
  name: string;
  application: ApplicationName;
  prefix: string;
  objects: () => Iterable<GeneratedObject>;
  /** How many objects `objects` yields, for progress. */
  count: number;
};

export type GenerateOptions = {
  dataDir: string;
  pg?: { url: string; schemaPrefix: string } | undefined;
  infobases: readonly InfobaseToGenerate[];
  progress?: (infobase: string, done: number, total: number) => void;
};

/** Objects per transaction while generating: big enough to be fast, small enough to keep the WAL small. */
const CHUNK = 20_000;

/**
 * Makes a host's infobases as an operator would (users, prefix, synchronization enabled, no setting yet),
 * then writes their data in bulk: the rows the write path would store (bulk-rows.ts), the numbering
 * counters, and no change log — the initial export registers everything, as it does for real data.
 */
export async function generateHost(options: GenerateOptions): Promise<void> {
  const storage = openStorage(
    options.pg
      ? { dialect: 'postgres', url: options.pg.url, schemaPrefix: options.pg.schemaPrefix }
      : { dialect: 'sqlite', dir: options.dataDir },
  );
  const services = await createServices({ storage, hostKey: loadHostKey(join(options.dataDir, 'host.key')) });
  try {
    for (const target of options.infobases) {
      const infobase = await services.host.create(target.name, target.application);
      await infobase.users.add({ login: LOGIN, password: PASSWORD });
      await infobase.settings.setPrefix(target.prefix, { continueNumbering: false });
      await infobase.settings.setSyncEnabled(true);
      if (options.pg) await writePostgres(infobase.db, target, options.progress);
    }
  } finally {
    await services.close();
  }
  if (!options.pg) {
    for (const target of options.infobases) {
      writeSqlite(join(options.dataDir, `${target.name}.sqlite`), target, options.progress);
    }
  }
}

function appOf(name: ApplicationName) {
  return applications.find((app) => app.name === name)!;
}

function writeSqlite(file: string, target: InfobaseToGenerate, progress: GenerateOptions['progress']): void {
  const database = openSqliteFile(file, 256);
  const insert = sqliteInserter(database);
  const app = appOf(target.application);
  const counters: Counters = new Map();
  const meta = { createdIn: target.prefix, updatedAt: new Date().toISOString() };
  let done = 0;
  database.exec('begin');
  for (const object of target.objects()) {
    for (const { table, row } of objectRows(app, sqliteDialect, object, meta, counters)) insert(table, row);
    done += 1;
    if (done % CHUNK === 0) {
      database.exec('commit');
      progress?.(target.name, done, target.count);
      database.exec('begin');
    }
  }
  const note = database.prepare(
    `insert into number_counters (type, scope, year, last_value) values (?, ?, ?, ?)
     on conflict (type, scope, year) do update set last_value = max(last_value, excluded.last_value)`,
  );
  for (const row of counterRows(counters)) note.run([row.type, row.scope, row.year, row.last_value]);
  database.exec('commit');
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  progress?.(target.name, done, target.count);
}

async function writePostgres(
  db: Db,
  target: InfobaseToGenerate,
  progress: GenerateOptions['progress'],
): Promise<void> {
  const app = appOf(target.application);
  const counters: Counters = new Map();
  const meta = { createdIn: target.prefix, updatedAt: new Date().toISOString() };
  const objects = target.objects()[Symbol.iterator]();
  let done = 0;
  for (let finished = false; !finished; ) {
    await db.transaction().execute(async (trx) => {
      const inserter = batchInserter(trx);
      for (let inChunk = 0; inChunk < CHUNK; inChunk += 1) {
        const next = objects.next();
        if (next.done) {
          finished = true;
          break;
        }
        for (const { table, row } of objectRows(app, postgresDialect, next.value, meta, counters))
          await inserter.insert(table, row);
        done += 1;
      }
      await inserter.flush();
    });
    progress?.(target.name, done, target.count);
  }
  for (const row of counterRows(counters)) {
    await db
      .insertInto('number_counters')
      .values(row)
      .onConflict((conflict) =>
        conflict
          .columns(['type', 'scope', 'year'])
          .doUpdateSet({ last_value: sql`greatest(number_counters.last_value, excluded.last_value)` }),
      )
      .execute();
  }
}
