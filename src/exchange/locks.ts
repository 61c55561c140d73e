import { randomUUID } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { Db } from '../platform/storage/index.js';
import { isProcessGone, PROCESS_TOKEN } from './process-token.js';

const LEASE_MS = 60_000;

async function tryAcquire(db: Db, nodeId: string, holder: string, purpose: string): Promise<boolean> {
  const now = new Date();
  const expires = new Date(now.getTime() + LEASE_MS).toISOString();
  await db
    .insertInto('exchange_locks')
    .values({ node_id: nodeId, holder, purpose, expires_at: expires })
    .onConflict((conflict) =>
      conflict
        .column('node_id')
        .doUpdateSet({ holder, purpose, expires_at: expires })
        .where('exchange_locks.expires_at', '<', now.toISOString()),
    )
    .execute();
  const holderOf = async () =>
    (await db.selectFrom('exchange_locks').select('holder').where('node_id', '=', nodeId).executeTakeFirst())
      ?.holder;
  const current = await holderOf();
  if (current === holder) return true;
  // A lease whose holder was killed or crashed is free now: waiting for it to run out would fail every
  // Synchronize after a restart for a minute with "busy", the error a retry makes disappear.
  if (current === undefined || current === null || !isProcessGone(String(current))) return false;
  await db
    .updateTable('exchange_locks')
    .set({ holder, purpose, expires_at: expires })
    .where('node_id', '=', nodeId)
    .where('holder', '=', String(current))
    .execute();
  return (await holderOf()) === holder;
}

async function currentPurpose(db: Db, nodeId: string): Promise<string> {
  const row = await db
    .selectFrom('exchange_locks')
    .select('purpose')
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return row ? String(row.purpose) : 'another operation';
}

/**
 * One operation per node at a time, across processes: a lease row renewed while the work runs, so that a
 * crashed holder's lease simply runs out. With `wait`, a second caller waits its turn instead of failing.
 */
export async function withNodeLock<T>(
  db: Db,
  nodeId: string,
  purpose: string,
  work: () => Promise<T>,
  options: { waitMs?: number } = {},
): Promise<T> {
  const holder = `${PROCESS_TOKEN}-${randomUUID().slice(0, 8)}`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  while (!(await tryAcquire(db, nodeId, holder, purpose))) {
    if (Date.now() >= deadline) {
      throw new AppError(
        'sync_in_progress',
        `This synchronization setting is busy (${await currentPurpose(db, nodeId)}); wait for it to finish and try again`,
        { status: 409 },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const renew = setInterval(() => {
    db.updateTable('exchange_locks')
      .set({ expires_at: new Date(Date.now() + LEASE_MS).toISOString() })
      .where('node_id', '=', nodeId)
      .where('holder', '=', holder)
      .execute()
      .catch(() => undefined);
  }, LEASE_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await db
      .deleteFrom('exchange_locks')
      .where('node_id', '=', nodeId)
      .where('holder', '=', holder)
      .execute();
  }
}
