import { sql } from 'kysely';
import { AppError } from './errors.js';
import type { ApplicationDef } from './metadata.js';
import { continueNumbering, type NumberingPlan, numberCountersTable, planNumbering } from './numbering.js';
import { createObjectStore, type ObjectStore, type WriteHook } from './objects/object-store.js';
import { objectTableSpecs, obsoleteIndexes } from './objects/object-tables.js';
import { refreshSearchKeys } from './objects/search-key-migration.js';
import { readPrefix, readSetting, settingsTable, writeSetting } from './settings.js';
import type { Db, StorageDialect } from './storage/index.js';
import { ensureTable } from './storage/index.js';
import type { SqlTarget } from './storage/raw-sql.js';
import { directStatements } from './storage/sqlite-storage.js';
import { createUserStore, sessionsTable, type UserStore, usersTable } from './users.js';

export type InfobaseSettings = { prefix: string; syncEnabled: boolean };

export type PrefixChange = {
  prefix: string;
  previousPrefix: string;
  continueNumbering: boolean;
  /** The next automatic number of each numbered type in the chosen mode. */
  nextNumbers: { type: string; scope: string; next: string }[];
};

export type Infobase = {
  name: string;
  app: ApplicationDef;
  db: Db;
  dialect: StorageDialect;
  /** Where the exchange and the object store run their plain statements (raw-sql.ts). */
  sql: SqlTarget;
  objects: ObjectStore;
  users: UserStore;
  /** Subscribers run inside every object write's transaction (the exchange's change log is one). */
  addWriteHook(hook: WriteHook): void;
  settings: {
    get(): Promise<InfobaseSettings>;
    previewPrefix(prefix: string): Promise<NumberingPlan[]>;
    setPrefix(prefix: string, options: { continueNumbering: boolean }): Promise<PrefixChange>;
    setSyncEnabled(enabled: boolean): Promise<InfobaseSettings>;
  };
};

/** Two letters or digits of any script, as in seed S10; stored in upper case. */
const PREFIX = /^[\p{L}\p{N}]{2}$/u;

export function normalizePrefix(prefix: string): string {
  const normalized = prefix.trim().toUpperCase();
  if (!PREFIX.test(normalized)) {
    throw new AppError(
      'bad_prefix',
      `The infobase prefix must be exactly two letters or digits, got "${prefix}"`,
      {
        status: 422,
        fields: [{ field: 'prefix', code: 'bad_prefix', message: 'must be exactly two letters or digits' }],
      },
    );
  }
  return normalized;
}

/** Opens an infobase on its database, creating or migrating its tables from the declaration. */
export async function openInfobase(options: {
  name: string;
  app: ApplicationDef;
  db: Db;
  dialect: StorageDialect;
  now?: () => Date;
}): Promise<Infobase> {
  const { db, dialect, app } = options;
  for (const table of [settingsTable, usersTable, sessionsTable, numberCountersTable]) {
    await ensureTable(db, dialect, table);
  }
  for (const def of app.types) {
    for (const table of objectTableSpecs(def)) await ensureTable(db, dialect, table);
    for (const name of obsoleteIndexes(def)) await sql`drop index if exists ${sql.id(name)}`.execute(db);
    await refreshSearchKeys(db, def);
  }
  const hooks: WriteHook[] = [];
  const statements: SqlTarget = { dialect: dialect.name, direct: directStatements(db) };
  const objects = createObjectStore({ db, dialect, sql: statements, app, hooks });
  const users = createUserStore({ db, dialect, ...(options.now ? { now: options.now } : {}) });
  const currentYear = () => (options.now?.() ?? new Date()).getFullYear();

  const settings: Infobase['settings'] = {
    async get() {
      return {
        prefix: await readPrefix(db),
        syncEnabled: (await readSetting(db, 'syncEnabled')) === 'true',
      };
    },
    async previewPrefix(prefix) {
      return planNumbering(db, app.types, normalizePrefix(prefix), currentYear());
    },
    /** Seed S11: a new prefix restarts numbering at 1 unless asked to continue after the highest number. */
    async setPrefix(prefix, change) {
      const normalized = normalizePrefix(prefix);
      return db.transaction().execute(async (trx) => {
        const previousPrefix = await readPrefix(trx);
        if (change.continueNumbering) await continueNumbering(trx, statements, app.types, normalized);
        await writeSetting(trx, 'prefix', normalized);
        const plans = await planNumbering(trx, app.types, normalized, currentYear());
        return {
          prefix: normalized,
          previousPrefix,
          continueNumbering: change.continueNumbering,
          nextNumbers: plans.map((plan) => ({ type: plan.type, scope: plan.scope, next: plan.restart })),
        };
      });
    },
    async setSyncEnabled(enabled) {
      await writeSetting(db, 'syncEnabled', String(enabled));
      return settings.get();
    },
  };

  return {
    name: options.name,
    app,
    db,
    dialect,
    sql: statements,
    objects,
    users,
    settings,
    addWriteHook: (hook) => hooks.push(hook),
  };
}
