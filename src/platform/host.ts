import { AppError } from './errors.js';
import { type Infobase, openInfobase } from './infobase.js';
import type { ApplicationDef, ApplicationName } from './metadata.js';
import type { Db, Storage, TableSpec } from './storage/index.js';
import { ensureTable, text } from './storage/index.js';

/** Names become URL paths and database names; path words the host itself uses are reserved. */
const INFOBASE_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const RESERVED_NAMES = new Set(['api', 'assets', 'login', 'static', 'docs', 'host', 'exchange']);

const infobasesTable: TableSpec = {
  name: 'infobases',
  columns: [
    { name: 'name', type: text, notNull: true },
    { name: 'application', type: text, notNull: true },
    { name: 'title', type: text },
    { name: 'created_at', type: text, notNull: true },
  ],
  primaryKey: ['name'],
};

export type InfobaseEntry = { name: string; application: ApplicationName; title: string; createdAt: string };

export type Host = {
  storage: Storage;
  applications: ReadonlyMap<ApplicationName, ApplicationDef>;
  list(): Promise<InfobaseEntry[]>;
  create(name: string, application: string, title?: string): Promise<Infobase>;
  /** The open infobase; opened on first use. */
  get(name: string): Promise<Infobase>;
  /** Called for every infobase when it opens, before anyone uses it: where the exchange subscribes. */
  onOpen(listener: (infobase: Infobase) => Promise<void> | void): void;
  close(): Promise<void>;
};

export async function createHost(options: {
  storage: Storage;
  applications: readonly ApplicationDef[];
  now?: () => Date;
}): Promise<Host> {
  const { storage } = options;
  const applications = new Map(options.applications.map((app) => [app.name, app]));
  const hostDb: Db = await storage.hostDb();
  await ensureTable(hostDb, storage.dialect, infobasesTable);
  const opening = new Map<string, Promise<Infobase>>();
  const listeners: ((infobase: Infobase) => Promise<void> | void)[] = [];

  const decode = (row: Record<string, unknown>): InfobaseEntry => ({
    name: String(row.name),
    application: String(row.application) as ApplicationName,
    title: row.title ? String(row.title) : String(row.name),
    createdAt: String(row.created_at),
  });

  async function entry(name: string): Promise<InfobaseEntry | undefined> {
    const row = await hostDb.selectFrom('infobases').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? decode(row) : undefined;
  }

  function application(name: string): ApplicationDef {
    const app = applications.get(name as ApplicationName);
    if (!app) {
      throw new AppError(
        'unknown_application',
        `"${name}" is not an application of this host; choose one of: ${[...applications.keys()].join(', ')}`,
        { status: 422 },
      );
    }
    return app;
  }

  function open(found: InfobaseEntry): Promise<Infobase> {
    let infobase = opening.get(found.name);
    if (!infobase) {
      infobase = (async () => {
        const db = await storage.openInfobaseDb(found.name);
        const opened = await openInfobase({
          name: found.name,
          app: application(found.application),
          db,
          dialect: storage.dialect,
          ...(options.now ? { now: options.now } : {}),
        });
        for (const listener of listeners) await listener(opened);
        return opened;
      })();
      opening.set(found.name, infobase);
      infobase.catch(() => opening.delete(found.name));
    }
    return infobase;
  }

  return {
    storage,
    applications,
    async list() {
      const rows = await hostDb.selectFrom('infobases').selectAll().orderBy('name').execute();
      return rows.map(decode);
    },
    async create(name, applicationName, title) {
      if (!INFOBASE_NAME.test(name) || RESERVED_NAMES.has(name)) {
        throw new AppError(
          'bad_infobase_name',
          `"${name}" cannot name an infobase: use 1 to 40 lower-case Latin letters, digits or "_", starting with a letter${RESERVED_NAMES.has(name) ? ', and not a word the host reserves' : ''}`,
          { status: 422 },
        );
      }
      application(applicationName);
      if (await entry(name)) {
        throw new AppError('infobase_exists', `An infobase "${name}" already exists on this host`, {
          status: 409,
        });
      }
      const created: InfobaseEntry = {
        name,
        application: applicationName as ApplicationName,
        title: title ?? name,
        createdAt: (options.now?.() ?? new Date()).toISOString(),
      };
      await hostDb
        .insertInto('infobases')
        .values({ name, application: applicationName, title: created.title, created_at: created.createdAt })
        .execute();
      return open(created);
    },
    async get(name) {
      // Every request names its infobase; one already open needs no look-up in the host's list.
      const opened = opening.get(name);
      if (opened) return opened;
      const found = INFOBASE_NAME.test(name) ? await entry(name) : undefined;
      if (!found) {
        throw new AppError('unknown_infobase', `There is no infobase "${name}" on this host`, {
          status: 404,
        });
      }
      return open(found);
    },
    onOpen(listener) {
      listeners.push(listener);
    },
    async close() {
      await Promise.allSettled(opening.values());
      opening.clear();
      await storage.close();
    },
  };
}
