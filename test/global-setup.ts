import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { TEST_PG_URL, TEST_SCHEMA_PREFIX } from './helpers/test-config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
  }
}

/**
 * Every dialect suite runs on SQLite and on PostgreSQL. Without a PostgreSQL server the PostgreSQL half
 * is skipped with a message, except under CI=true, where a missing server fails the run.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function setup(project: TestProject) {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  let available = false;
  try {
    await client.connect();
    available = true;
    // Schemas left by crashed runs: named after a worker process that no longer exists.
    const stale = await client.query<{ nspname: string }>(
      `select nspname from pg_namespace where starts_with(nspname, $1)`,
      [TEST_SCHEMA_PREFIX],
    );
    for (const { nspname } of stale.rows) {
      const pid = Number(nspname.slice(TEST_SCHEMA_PREFIX.length).split('_')[0]);
      if (Number.isInteger(pid) && isAlive(pid)) continue;
      await client.query(`drop schema if exists "${nspname}" cascade`);
    }
  } catch (error) {
    const message = `PostgreSQL is not reachable at ${TEST_PG_URL} (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI needs it: start it before the tests`);
    console.warn(`${message}: the PostgreSQL half of the suite is skipped`);
  } finally {
    await client.end().catch(() => undefined);
  }
  project.provide('postgresAvailable', available);
}
