import { describe, inject, it } from 'vitest';
import { runFaultSuite, type SuitePlan, soakMinutes } from './fault-suite.js';
import { faultSeed } from './seeded-random.js';

/**
 * The fault-injection suite: two host processes, the fault proxy between them, every scenario on SQLite
 * and a subset on PostgreSQL, both at once. In `npm test` at least 200 faults; the soak (`npm run soak`,
 * IBSYNC_FAULT_SOAK_MINUTES) runs whole passes of every scenario on both for that long and at least 2,000.
 * The seed is printed first; IBSYNC_FAULT_SEED replays it.
 */
const soak = soakMinutes();
const seed = faultSeed();
const timeoutMs = soak > 0 ? (soak + 10) * 60_000 : 240_000;

/** In the soak both worlds count towards its 2,000 faults (without PostgreSQL, SQLite alone). */
const tally = soak > 0 ? new Map<string, number>() : undefined;

const sqlite: SuitePlan = {
  dialect: 'sqlite',
  catalogs: 'used',
  accountingSends: true,
  bag: {
    network: 5,
    duplicates: soak > 0 ? 4 : 3,
    'replay-old': soak > 0 ? 4 : 3,
    'kill-crm': 2,
    'kill-bp': 2,
    'kill-crm-then-bp': 1,
    concurrent: 2,
  },
  fillers: ['duplicates', 'replay-old', 'network'],
  targetFaults: soak > 0 ? 2000 : 200,
  durationMs: soak * 60_000,
  timeoutMs,
  ...(tally ? { tally } : {}),
};

/** PostgreSQL: the crashes and the network, with every catalog sent and Accounting sending nothing (S19). */
const postgres: SuitePlan = {
  dialect: 'postgres',
  catalogs: 'all',
  accountingSends: false,
  bag:
    soak > 0
      ? {
          network: 3,
          duplicates: 2,
          'replay-old': 2,
          'kill-crm': 1,
          'kill-bp': 1,
          'kill-crm-then-bp': 1,
          concurrent: 1,
        }
      : { network: 1, 'kill-crm': 1, 'kill-bp': 1, duplicates: 1 },
  fillers: [],
  targetFaults: soak > 0 ? 2000 : 0,
  durationMs: soak * 60_000,
  timeoutMs,
  ...(tally ? { tally } : {}),
};

describe(`faults between two host processes: crash, cut, delay, duplicate, replay, collide (seed ${seed})`, () => {
  const log = (line: string) => console.log(line);
  log(`fault seed ${seed}: replay with IBSYNC_FAULT_SEED=${seed}`);

  it.concurrent(
    '[sqlite] converges with nothing lost or doubled after every fault',
    async ({ expect }) => {
      const summary = await runFaultSuite(sqlite, seed, log);
      expect(summary.countedFaults).toBeGreaterThanOrEqual(summary.targetFaults);
    },
    timeoutMs,
  );

  const skip = !inject('postgresAvailable');
  it.skipIf(skip).concurrent(
    '[postgres] converges with nothing lost or doubled after every fault',
    async ({ expect }) => {
      const summary = await runFaultSuite(postgres, seed, log);
      expect(summary.rounds).toBeGreaterThan(0);
      expect(summary.countedFaults).toBeGreaterThanOrEqual(summary.targetFaults);
    },
    timeoutMs,
  );
});
