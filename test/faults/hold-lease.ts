import { exchangeTables } from '../../src/exchange/exchange-tables.js';
import { createJournal } from '../../src/exchange/journal.js';
import { withNodeLock } from '../../src/exchange/locks.js';
import { ensureTable, openStorage, type StorageConfig } from '../../src/platform/storage/index.js';

/**
 * Run as a child process by crashed-holder.test.ts: takes a node's lease, starts a journal entry under it,
 * says "holding" and waits to be killed, as a host does in the middle of a Synchronize.
 */
const config = JSON.parse(process.argv[2] ?? '{}') as StorageConfig;
const storage = openStorage(config);
const db = await storage.openInfobaseDb('ib');
for (const table of exchangeTables) await ensureTable(db, storage.dialect, table);
await withNodeLock(db, 'node-1', 'synchronizing', async () => {
  await createJournal(db).start('node-1', 'sync', 'sc12345');
  process.stdout.write('holding\n');
  await new Promise(() => undefined);
});
