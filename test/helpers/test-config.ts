export const TEST_PG_URL = process.env.IBSYNC_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
/** Every schema a test creates starts with this, so a crashed run's leftovers can be dropped. */
export const TEST_SCHEMA_PREFIX = 'ibsync_test_';
