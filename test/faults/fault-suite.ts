import { mkdirSync, writeFileSync } from 'node:fs';
import type { DialectName } from '../../src/platform/storage/index.js';
import { DataWriter } from './data-writer.js';
import {
  describeRound,
  FaultCampaign,
  type RoundResult,
  SCENARIOS,
  type ScenarioName,
} from './fault-campaign.js';
import { connectAndLoad, createFaultWorld, type FaultWorld } from './fault-world.js';
import { type Random, seededRandom } from './seeded-random.js';

export type SuitePlan = {
  dialect: DialectName;
  catalogs: 'used' | 'all';
  accountingSends: boolean;
  /** One pass: how many rounds of each scenario, in an order drawn from the seed. */
  bag: Partial<Record<ScenarioName, number>>;
  /** After a pass, cheap scenarios fill up to the fault target (the soak repeats whole passes instead). */
  fillers: readonly ScenarioName[];
  targetFaults: number;
  /** The soak: passes go on until this much time has passed too. */
  durationMs: number;
  /**
   * The soak's worlds run at once and share one target: each reports its count here, and the target is
   * met by their sum.
   */
  tally?: Map<string, number>;
  timeoutMs: number;
};

/**
 * The soak (`npm run soak`) sets IBSYNC_FAULT_SOAK_MINUTES; IBSYNC_FAULT_SCENARIO runs one scenario only,
 * IBSYNC_FAULT_ROUNDS times (default 5).
 */
export function soakMinutes(): number {
  return Number(process.env.IBSYNC_FAULT_SOAK_MINUTES || 0);
}

/** IBSYNC_FAULT_SCENARIO: one scenario alone, IBSYNC_FAULT_ROUNDS rounds of it, to replay a finding. */
function selectedPlan(plan: SuitePlan): SuitePlan {
  const only = process.env.IBSYNC_FAULT_SCENARIO;
  if (!only) return plan;
  if (!(SCENARIOS as readonly string[]).includes(only))
    throw new Error(`IBSYNC_FAULT_SCENARIO must be one of ${SCENARIOS.join(', ')}, got "${only}"`);
  const rounds = Number(process.env.IBSYNC_FAULT_ROUNDS || 5);
  return { ...plan, bag: { [only]: rounds }, fillers: [], targetFaults: 0, durationMs: 0 };
}

function shuffled(bag: SuitePlan['bag'], random: Random): ScenarioName[] {
  const rounds = Object.entries(bag).flatMap(([name, count]) =>
    Array.from({ length: count ?? 0 }, () => name as ScenarioName),
  );
  for (let index = rounds.length - 1; index > 0; index -= 1) {
    const other = random.int(0, index);
    [rounds[index], rounds[other]] = [rounds[other]!, rounds[index]!];
  }
  return rounds;
}

async function failureDetails(world: FaultWorld, seed: number, result: RoundResult): Promise<string> {
  const journal = async (side: 'crm' | 'bp') => {
    const answer = await world.api(side, 'GET', '/sync/journal?limit=12');
    return JSON.stringify(answer.data, null, 1).slice(0, 6000);
  };
  return [
    `round ${result.round} (${result.scenario}) did not converge; replay with IBSYNC_FAULT_SEED=${seed}` +
      (process.env.IBSYNC_FAULT_SCENARIO
        ? ` IBSYNC_FAULT_SCENARIO=${process.env.IBSYNC_FAULT_SCENARIO}`
        : ''),
    ...result.report.problems.slice(0, 40).map((problem) => `  - ${problem}`),
    `faults: ${JSON.stringify(result.faults)}; sync failures: ${result.syncs.failures.join(' | ')}`,
    `CRM journal: ${await journal('crm')}`,
    `Accounting journal: ${await journal('bp')}`,
    `host logs (tail): ${world.logs().slice(-6000)}`,
  ].join('\n');
}

export type SuiteSummary = {
  dialect: DialectName;
  seed: number;
  /** The plan's target, as run (IBSYNC_FAULT_SCENARIO runs a number of rounds instead). */
  targetFaults: number;
  /** What counts towards the target: this world's faults, or in the soak those of both worlds. */
  countedFaults: number;
  rounds: number;
  durationMs: number;
  runs: FaultCampaign['runs'];
  faults: FaultCampaign['totals'];
  totalFaults: number;
  syncAttempts: number;
  syncFailures: number;
  writes: { attempted: number; unconfirmed: number; confirmedObjects: number };
  convergeAttempts: number;
  scheduleMet: boolean;
  failureCauses: Record<string, number>;
  killPoints: Record<string, number>;
};

/**
 * Two host processes, the fault proxy between them, and rounds of scenarios until the plan's count of
 * faults: after each round the faults go off, Synchronize runs until quiet and the two infobases must
 * agree. Throws at the first round that does not converge, with what diverged, the journals and the logs.
 */
export async function runFaultSuite(
  givenPlan: SuitePlan,
  seed: number,
  log: (line: string) => void,
): Promise<SuiteSummary> {
  const plan = selectedPlan(givenPlan);
  const random = seededRandom(seed).fork(plan.dialect);
  const world = await createFaultWorld({
    dialect: plan.dialect,
    catalogs: plan.catalogs,
    accountingSends: plan.accountingSends,
    peerTimeoutMs: 1000,
    partSize: 2048,
    log: (line) => log(`[${plan.dialect}] ${line}`),
  });
  try {
    const writer = new DataWriter(world, random.fork('writer'), 'crm');
    await writer.seed();
    await connectAndLoad(world);
    const writers = [writer];
    if (plan.accountingSends) {
      const accounting = new DataWriter(world, random.fork('accounting writer'), 'bp');
      await accounting.adopt();
      writers.push(accounting);
    }
    // A schedule as short as the API allows: scheduled Synchronizes collide with the manual ones.
    const scheduled = await world.api('crm', 'PATCH', `/sync/settings/${world.crmSetting}/schedule`, {
      intervalSeconds: 10,
    });
    if (scheduled.status !== 200) throw new Error(`schedule: ${JSON.stringify(scheduled.data)}`);
    const campaign = new FaultCampaign(world, writers, random.fork('campaign'));

    const started = Date.now();
    const order = random.fork('order');
    const rounds: RoundResult[] = [];
    const injected = () => {
      plan.tally?.set(plan.dialect, campaign.totalFaults);
      return plan.tally
        ? [...plan.tally.values()].reduce((sum, count) => sum + count, 0)
        : campaign.totalFaults;
    };
    let queue = shuffled(plan.bag, order);
    for (let round = 1; ; round += 1) {
      const enough = injected() >= plan.targetFaults;
      // The soak stops when its time is up, at any round; the bounded run after its pass and fillers.
      if (
        plan.durationMs > 0 ? enough && Date.now() - started >= plan.durationMs : enough && queue.length === 0
      )
        break;
      if (queue.length === 0) {
        if (plan.durationMs === 0 && plan.fillers.length === 0) break;
        queue = plan.durationMs > 0 ? shuffled(plan.bag, order) : [order.pick(plan.fillers)];
      }
      const name = queue.shift()!;
      const result = await campaign.round(name, round);
      rounds.push(result);
      log(describeRound(plan.dialect, result));
      if (result.report.problems.length > 0) throw new Error(await failureDetails(world, seed, result));
    }
    const summary: SuiteSummary = {
      dialect: plan.dialect,
      seed,
      targetFaults: plan.targetFaults,
      countedFaults: injected(),
      rounds: rounds.length,
      durationMs: Date.now() - started,
      runs: campaign.runs,
      faults: campaign.totals,
      totalFaults: campaign.totalFaults,
      syncAttempts: campaign.syncAttempts,
      syncFailures: campaign.syncFailures,
      writes: {
        attempted: writer.attempted,
        unconfirmed: writer.failed,
        confirmedObjects: writer.confirmed.size,
      },
      convergeAttempts: rounds.reduce((sum, round) => sum + round.converge.attempts, 0),
      scheduleMet: campaign.scheduleMet,
      failureCauses: campaign.failureCauses,
      killPoints: campaign.killPoints,
    };
    log(`[${plan.dialect}] fault summary: ${JSON.stringify(summary)}`);
    mkdirSync('.test-results', { recursive: true });
    writeFileSync(`.test-results/faults-${plan.dialect}.json`, `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await world.close();
  }
}
