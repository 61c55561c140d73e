import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, inject } from 'vitest';
import { applications } from '../../src/apps/index.js';
import { createHost, type Host } from '../../src/platform/host.js';
import {
  type DialectName,
  openStorage,
  type Storage,
  type StorageConfig,
} from '../../src/platform/storage/index.js';
import { TEST_PG_URL, TEST_SCHEMA_PREFIX } from './test-config.js';

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

let counter = 0;

/** A fresh, empty store of the dialect: a temporary folder, or schemas with a unique prefix. */
export function testStorageConfig(dialect: DialectName): {
  config: StorageConfig;
  cleanup: () => Promise<void>;
} {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ibsync-test-'));
    return { config: { dialect, dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  counter += 1;
  const schemaPrefix = `${TEST_SCHEMA_PREFIX}${process.pid}_${counter}_`;
  return {
    config: { dialect, url: TEST_PG_URL, schemaPrefix, poolSize: 4 },
    cleanup: async () => {
      const storage = openStorage({ dialect, url: TEST_PG_URL, schemaPrefix: `${schemaPrefix}cleanup_` });
      const db = await storage.hostDb();
      const { rows } = await sql<{ nspname: string }>`
        select nspname from pg_namespace where starts_with(nspname, ${schemaPrefix})`.execute(db);
      for (const { nspname } of rows) await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db);
      await storage.close();
    },
  };
}

export type TestHost = { host: Host; storage: Storage; cleanup: () => Promise<void> };

export async function createTestHost(dialect: DialectName, now?: () => Date): Promise<TestHost> {
  const { config, cleanup } = testStorageConfig(dialect);
  const storage = openStorage(config);
  const host = await createHost({ storage, applications, ...(now ? { now } : {}) });
  return {
    host,
    storage,
    cleanup: async () => {
      await host.close();
      await cleanup();
    },
  };
}

/** `describe` once per dialect; the PostgreSQL half is skipped when no server is reachable (not under CI). */
export function describeEachDialect(name: string, body: (dialect: DialectName) => void) {
  for (const dialect of DIALECTS) {
    const skip = dialect === 'postgres' && !inject('postgresAvailable');
    describe.skipIf(skip)(`${name} [${dialect}]`, () => body(dialect));
  }
}
