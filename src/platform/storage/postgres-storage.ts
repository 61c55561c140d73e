import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  booleanEncodings,
  type ColumnKind,
  type Db,
  type DynamicDatabase,
  type Storage,
  type StorageDialect,
} from './storage.js';

export const postgresDialect: StorageDialect = {
  name: 'postgres',
  rebuildsIndexesAside: false,
  columnType(column: ColumnKind): string {
    switch (column.kind) {
      case 'text':
        return 'text';
      case 'integer':
        return 'integer';
      case 'boolean':
        return 'boolean';
      case 'binary':
        return 'bytea';
      case 'decimal':
        return `numeric(${column.precision}, ${column.scale})`;
    }
  },
  encodeBoolean: booleanEncodings.postgres.encodeBoolean,
  decodeBoolean: (value) => value === true,
  async listColumns(db: Db, table: string): Promise<Set<string>> {
    const result = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table}`.execute(db);
    return new Set(result.rows.map((row) => row.column_name));
  },
  uniqueViolation(error: unknown) {
    if (!(error instanceof Error) || (error as { code?: string }).code !== '23505') return undefined;
    return { constraint: (error as { constraint?: string }).constraint ?? '' };
  },
};

/** PostgreSQL identifiers for one host: `<prefix>host` and `<prefix>ib_<name>`. */
export function postgresSchemaNames(schemaPrefix: string) {
  return {
    host: `${schemaPrefix}host`,
    infobase: (name: string) => `${schemaPrefix}ib_${name}`,
  };
}

export function createPostgresStorage(config: {
  url: string;
  schemaPrefix?: string;
  poolSize?: number;
}): Storage {
  const schemas = postgresSchemaNames(config.schemaPrefix ?? 'ibsync_');
  const dbs = new Map<string, Db>();
  const openSchema = async (schema: string): Promise<Db> => {
    const existing = dbs.get(schema);
    if (existing) return existing;
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 5,
      // Every connection of this pool works inside the infobase's own schema.
      options: `-c search_path=${schema}`,
    });
    const db = new Kysely<DynamicDatabase>({ dialect: new PostgresDialect({ pool }) });
    dbs.set(schema, db);
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    return db;
  };
  return {
    dialect: postgresDialect,
    location: redactUrl(config.url),
    hostDb: () => openSchema(schemas.host),
    openInfobaseDb: (name) => openSchema(schemas.infobase(name)),
    async dropInfobase(name) {
      const schema = schemas.infobase(name);
      const host = await openSchema(schemas.host);
      await dbs.get(schema)?.destroy();
      dbs.delete(schema);
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(host);
    },
    async close() {
      for (const db of dbs.values()) await db.destroy();
      dbs.clear();
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql';
  }
}
