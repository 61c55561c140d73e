import type { Kysely } from 'kysely';

/** Tables are derived from declarations at run time, so rows are typed loosely and decoded by metadata. */
export type Row = Record<string, unknown>;
export type DynamicDatabase = Record<string, Row>;
export type Db = Kysely<DynamicDatabase>;

export type DialectName = 'sqlite' | 'postgres';

export type ColumnKind =
  | { kind: 'text' }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  | { kind: 'binary' }
  | { kind: 'decimal'; precision: number; scale: number };

/**
 * How each dialect stores a boolean, apart from the dialects themselves: code that only builds rows (the
 * message reader thread) needs no database driver.
 */
export const booleanEncodings: Record<DialectName, { encodeBoolean(value: boolean): boolean | number }> = {
  sqlite: { encodeBoolean: (value) => (value ? 1 : 0) },
  postgres: { encodeBoolean: (value) => value },
};

/** What differs between SQLite and PostgreSQL, and nothing else. */
export interface StorageDialect {
  readonly name: DialectName;
  columnType(column: ColumnKind): string;
  encodeBoolean(value: boolean): boolean | number;
  decodeBoolean(value: unknown): boolean;
  listColumns(db: Db, table: string): Promise<Set<string>>;
  /** The violated unique index or constraint, if the error is a unique violation. */
  uniqueViolation(error: unknown): { constraint: string } | undefined;
  /**
   * Whether an index may be dropped and built again inside a transaction without holding readers off:
   * SQLite's readers keep their snapshot; PostgreSQL would lock the table against them until commit.
   */
  readonly rebuildsIndexesAside: boolean;
}

/** Where infobases keep their data: one SQLite file each, or one PostgreSQL schema each. */
export interface Storage {
  readonly dialect: StorageDialect;
  /** Human-readable location for logs and errors: a folder or a database URL without password. */
  readonly location: string;
  hostDb(): Promise<Db>;
  openInfobaseDb(name: string): Promise<Db>;
  dropInfobase(name: string): Promise<void>;
  close(): Promise<void>;
}

export type StorageConfig =
  | { dialect: 'sqlite'; dir: string; cacheSizeMb?: number }
  | { dialect: 'postgres'; url: string; schemaPrefix?: string; poolSize?: number };
