import { type ConvergenceReport, checkConvergence } from './convergence.js';
import { type DataWriter, ROMASHKA } from './data-writer.js';
import type { FaultAction, ProxiedRequest } from './fault-proxy.js';
import type { FaultWorld, Side, SyncAttempt } from './fault-world.js';
import type { Random } from './seeded-random.js';

export const FAULT_KINDS = [
  'delay',
  'timeout',
  'blackhole',
  'cut-request',
  'cut-response',
  'truncate-response',
  'drop',
  'duplicate',
  'replay-old',
  'stale-answer',
  'kill-crm',
  'kill-bp',
  'concurrent-run',
  'schedule-collision',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const SCENARIOS = [
  'network',
  'duplicates',
  'replay-old',
  'kill-crm',
  'kill-bp',
  'kill-crm-then-bp',
  'concurrent',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type RoundResult = {
  scenario: ScenarioName;
  round: number;
  faults: Partial<Record<FaultKind, number>>;
  syncs: { ok: number; failed: number; hostDown: number; failures: string[] };
  writes: { attempted: number; failed: number };
  converge: { attempts: number; failures: string[] };
  notes: string[];
  report: ConvergenceReport;
  ms: number;
};

/** Objects Accounting had before the setup and mapped at load: the same object under Accounting's ref. */
const PRE_MAPPED = new Set([`counterparty:${ROMASHKA.inn}/${ROMASHKA.kpp}`, 'currency:643']);

const NETWORK_FAULTS: readonly { kind: FaultKind; weight: number }[] = [
  { kind: 'delay', weight: 4 },
  // Each costs the client's whole timeout: fewer of them.
  { kind: 'timeout', weight: 1 },
  { kind: 'blackhole', weight: 1 },
  { kind: 'cut-request', weight: 4 },
  { kind: 'cut-response', weight: 4 },
  { kind: 'truncate-response', weight: 4 },
  { kind: 'drop', weight: 4 },
];

/** With the faults off, Synchronize must reach a quiet session within this many attempts. */
const MAX_CONVERGE_ATTEMPTS = 4;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exchange calls only: the proxy carries nothing else, but the check says so. */
const isExchangeCall = (request: ProxiedRequest) => request.path.includes('/exchange/v1/');

/** Which step of a Synchronize an exchange call is (peer-protocol.ts). */
export function callKind(request: ProxiedRequest): string {
  const path = request.path.replace(/\?.*$/, '');
  if (/\/outbox$/.test(path)) return 'outbox (the peer exports)';
  if (/\/outbox\/\d+\/parts\/\d+$/.test(path)) return 'part download';
  if (/\/inbox\/\d+$/.test(path)) return 'announce';
  if (/\/inbox\/\d+\/parts\/\d+$/.test(path)) return 'part upload';
  if (/\/import$/.test(path)) return 'import (the peer applies)';
  if (/\/ack$/.test(path)) return 'acknowledgement';
  return `${request.method} ${path.replace(/.*\/exchange\/v1/, '')}`;
}

/**
 * Runs the scenarios against one world, round after round: faults on, Synchronize (and writes) through
 * them, faults off, Synchronize until quiet, then the convergence check. Each round draws its plan from a
 * generator forked off the run's seed by scenario and round, so a printed seed replays the same plans.
 */
export class FaultCampaign {
  readonly totals: Record<FaultKind, number> = Object.fromEntries(
    FAULT_KINDS.map((kind) => [kind, 0]),
  ) as Record<FaultKind, number>;
  readonly runs: Record<ScenarioName, number> = Object.fromEntries(
    SCENARIOS.map((name) => [name, 0]),
  ) as Record<ScenarioName, number>;
  syncAttempts = 0;
  syncFailures = 0;
  /** How failed Synchronizes explained themselves: code and message (ports and numbers blanked). */
  readonly failureCauses: Record<string, number> = {};
  private faults: Partial<Record<FaultKind, number>> = {};
  private notes: string[] = [];
  /** The failed Synchronize jobs of this round and their error codes: each must be in the journal. */
  private failedJobs = new Map<string, string>();
  private syncs: RoundResult['syncs'] = { ok: 0, failed: 0, hostDown: 0, failures: [] };
  /** Jobs this test started: a run that joins one of them did not meet the scheduler. */
  private readonly ownJobs = new Set<string>();
  /** Whether a scheduled Synchronize has met a manual one yet in this run. */
  scheduleMet = false;
  /** Where the kills landed: the host, and the exchange call in flight (or the timer). */
  readonly killPoints: Record<string, number> = {};

  constructor(
    private readonly world: FaultWorld,
    private readonly writers: readonly DataWriter[],
    private readonly random: Random,
  ) {}

  get totalFaults(): number {
    return Object.values(this.totals).reduce((sum, count) => sum + count, 0);
  }

  private count(kind: FaultKind, by = 1) {
    this.faults[kind] = (this.faults[kind] ?? 0) + by;
    this.totals[kind] += by;
  }

  private failed(attempt: SyncAttempt) {
    if (attempt.jobId && attempt.error) this.failedJobs.set(attempt.jobId, attempt.error.code);
    this.syncs.failed += 1;
    this.syncFailures += 1;
    const cause = `${attempt.error?.code}: ${attempt.error?.message}`;
    this.syncs.failures.push(cause);
    const key = cause.replace(/:\d{2,5}\b/g, ':PORT').replace(/\b\d+\b/g, 'N');
    this.failureCauses[key] = (this.failureCauses[key] ?? 0) + 1;
  }

  private async sync(): Promise<SyncAttempt> {
    const attempt = await this.world.synchronize();
    this.syncAttempts += 1;
    if (attempt.outcome === 'ok') this.syncs.ok += 1;
    if (attempt.outcome === 'host-down') this.syncs.hostDown += 1;
    if (attempt.outcome === 'failed') this.failed(attempt);
    // Joined a job nobody here started: the schedule's, which this manual one collided with.
    if (attempt.alreadyRunning && attempt.jobId && !this.ownJobs.has(attempt.jobId))
      this.count('schedule-collision');
    if (attempt.jobId) this.ownJobs.add(attempt.jobId);
    return attempt;
  }

  /** Writes in the CRM in a loop while the scenario runs (the "writes during a sync" fault). */
  private writing(random: Random): { stop(): Promise<void> } {
    let running = true;
    const loop = (async () => {
      while (running) {
        await this.write(random);
        await sleep(random.int(20, 150));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
      },
    };
  }

  private networkPolicy(random: Random, probability: number) {
    const total = NETWORK_FAULTS.reduce((sum, fault) => sum + fault.weight, 0);
    const timeout = this.world.options.peerTimeoutMs;
    return (request: ProxiedRequest): FaultAction => {
      if (!isExchangeCall(request) || !random.chance(probability)) return { kind: 'pass' };
      const roll = random.next() * total;
      let below = 0;
      const fault =
        NETWORK_FAULTS.find((candidate) => {
          below += candidate.weight;
          return roll < below;
        }) ?? NETWORK_FAULTS[0]!;
      this.count(fault.kind);
      switch (fault.kind) {
        case 'delay':
          return {
            kind: 'delay',
            ms: random.int(20, timeout / 3),
            where: random.pick(['request', 'response']),
          };
        case 'timeout':
          return { kind: 'delay', ms: timeout + random.int(100, 600), where: 'response' };
        case 'blackhole':
          return { kind: 'blackhole' };
        case 'cut-request':
          return { kind: 'cut-request', afterBytes: random.int(1, request.bytes.length - 1) };
        case 'cut-response':
          return { kind: 'cut-response', afterBytes: random.int(1, 600) };
        case 'truncate-response':
          return { kind: 'truncate-response', keepBytes: random.int(1, 600) };
        default:
          return { kind: 'drop' };
      }
    };
  }

  /** One write, in the CRM three times out of four, else in Accounting (when it has a writer). */
  private async write(random: Random) {
    const writer = this.writers.length > 1 && random.chance(0.25) ? this.writers[1]! : this.writers[0]!;
    await writer.step();
  }

  writeCounts(): { attempted: number; failed: number } {
    return {
      attempted: this.writers.reduce((sum, writer) => sum + writer.attempted, 0),
      failed: this.writers.reduce((sum, writer) => sum + writer.failed, 0),
    };
  }

  private async writeSome(random: Random, min: number, max: number) {
    for (let index = random.int(min, max); index > 0; index -= 1) await this.write(random);
  }

  /** Kills a host at a random moment of a Synchronize: at the Nth exchange call or after a random delay. */
  private async killDuringSync(side: Side, random: Random): Promise<void> {
    const byRequest = random.chance(0.7);
    const nth = random.int(1, 12);
    const delay = random.int(0, byRequest ? 40 : 500);
    let seen = 0;
    let lastCall = 'none yet';
    let fire: () => void = () => undefined;
    const fired = new Promise<void>((resolve) => {
      fire = resolve;
    });
    const unsubscribe = this.world.proxy.onRequest((request) => {
      if (!isExchangeCall(request)) return;
      seen += 1;
      lastCall = callKind(request);
      if (seen === nth) setTimeout(fire, delay);
    });
    if (!byRequest) setTimeout(fire, delay);
    const writes = this.writing(random.fork('writes'));
    let killed = false;
    // Synchronize again and again (the writes give each one something to carry) until the moment comes.
    const syncing = (async () => {
      while (!killed) await this.sync();
    })();
    await fired;
    killed = true;
    unsubscribe();
    await this.world.kill(side);
    this.count(side === 'crm' ? 'kill-crm' : 'kill-bp');
    const point = `${side} ${byRequest ? 'during' : 'on a timer, after'} ${lastCall}`;
    this.killPoints[point] = (this.killPoints[point] ?? 0) + 1;
    this.notes.push(`killed ${side} ${byRequest ? `${delay} ms into` : 'on a timer, after'} ${lastCall}`);
    await syncing;
    await writes.stop();
    await this.world.restart(side);
  }

  private async scenario(name: ScenarioName, random: Random) {
    const { world } = this;
    switch (name) {
      case 'network': {
        await this.writeSome(random, 2, 6);
        world.proxy.setPolicy(this.networkPolicy(random.fork('policy'), random.pick([0.25, 0.4, 0.55])));
        const writes = this.writing(random.fork('writes'));
        for (let index = random.int(2, 3); index > 0; index -= 1) await this.sync();
        await writes.stop();
        return;
      }
      case 'duplicates': {
        const policyRandom = random.fork('policy');
        world.proxy.setPolicy((request) => {
          if (!isExchangeCall(request) || !policyRandom.chance(0.7)) return { kind: 'pass' };
          this.count('duplicate');
          return { kind: 'duplicate', copy: policyRandom.pick(['before', 'after']) };
        });
        for (let index = random.int(2, 4); index > 0; index -= 1) {
          await this.writeSome(random, 1, 5);
          await this.sync();
        }
        return;
      }
      case 'replay-old': {
        // Record two Synchronizes' calls, let newer messages through, then deliver the old calls again to
        // Accounting, and Accounting's old answers ("this message is waiting for you") to the CRM.
        const recorded: ProxiedRequest[] = [];
        const outboxAnswers: Buffer[] = [];
        const stop = world.proxy.onRequest((request) => {
          if (isExchangeCall(request)) recorded.push(request);
        });
        const stopAnswers = world.proxy.onResponse((request, response) => {
          if (callKind(request).startsWith('outbox')) outboxAnswers.push(response);
        });
        for (let index = 0; index < 2; index += 1) {
          await this.writeSome(random, 1, 5);
          await this.sync();
        }
        stop();
        stopAnswers();
        for (let index = random.int(1, 2); index > 0; index -= 1) {
          await this.writeSome(random, 1, 4);
          await this.sync();
        }
        const staleRandom = random.fork('stale');
        world.proxy.setPolicy((request) => {
          if (
            !callKind(request).startsWith('outbox') ||
            outboxAnswers.length === 0 ||
            !staleRandom.chance(0.6)
          )
            return { kind: 'pass' };
          this.count('stale-answer');
          return { kind: 'stale-response', response: staleRandom.pick(outboxAnswers) };
        });
        await this.writeSome(random, 1, 4);
        await this.sync();
        world.proxy.setPolicy(() => ({ kind: 'pass' }));
        const replays = recorded.flatMap((request) => (random.chance(0.3) ? [request, request] : [request]));
        if (random.chance(0.5)) {
          for (let index = replays.length - 1; index > 0; index -= 1) {
            const other = random.int(0, index);
            [replays[index], replays[other]] = [replays[other]!, replays[index]!];
          }
        }
        for (const request of replays) {
          await world.proxy.replay(request.bytes);
          this.count('replay-old');
        }
        return;
      }
      case 'kill-crm':
        await this.writeSome(random, 2, 6);
        await this.killDuringSync('crm', random.fork('crm'));
        return;
      case 'kill-bp':
        await this.writeSome(random, 2, 6);
        await this.killDuringSync('bp', random.fork('bp'));
        return;
      case 'kill-crm-then-bp':
        await this.writeSome(random, 2, 6);
        await this.killDuringSync('crm', random.fork('crm'));
        await this.writeSome(random, 1, 3);
        await this.killDuringSync('bp', random.fork('bp'));
        return;
      case 'concurrent': {
        // Slow calls widen the window; several Synchronizes at once, by the API and the CLI, with writes.
        const policyRandom = random.fork('policy');
        world.proxy.setPolicy(() => ({ kind: 'delay', ms: policyRandom.int(20, 150), where: 'response' }));
        await this.writeSome(random, 1, 4);
        const writes = this.writing(random.fork('writes'));
        if (!this.scheduleMet) {
          // Once per run: bursts until the schedule's next Synchronize is due and a little after, so that
          // it starts while a manual one runs, or a manual one arrives while it runs.
          const setting = await world.api('crm', 'GET', `/sync/settings/${world.crmSetting}`);
          const due = Date.parse(setting.data.nextRunAt);
          const since = new Date().toISOString();
          while (Date.now() < due + 1500) await this.burst(random);
          this.scheduleMet = await this.scheduleCollided(since, due);
        } else {
          await this.burst(random);
        }
        await writes.stop();
        return;
      }
    }
  }

  /** Two to four Synchronizes at the same moment, through the API and the CLI. */
  private async burst(random: Random) {
    const viaApi = random.int(1, 3);
    const api: Promise<SyncAttempt>[] = [];
    for (let index = 0; index < viaApi; index += 1) api.push(this.world.synchronize());
    const viaCli = this.world.cli('crm', ['sync', 'run', this.world.crmSetting, '--json']);
    const answers = await Promise.all(api);
    const cliAnswer = await viaCli;
    this.count('concurrent-run', viaApi);
    const started = new Set(answers.filter((answer) => !answer.alreadyRunning).map((answer) => answer.jobId));
    for (const answer of answers) {
      this.syncAttempts += 1;
      if (answer.outcome === 'ok') this.syncs.ok += 1;
      else this.failed(answer);
      if (
        answer.jobId &&
        answer.alreadyRunning &&
        !started.has(answer.jobId) &&
        !this.ownJobs.has(answer.jobId)
      )
        this.count('schedule-collision');
      if (answer.jobId) this.ownJobs.add(answer.jobId);
    }
    // The same job, or a refusal that names the running one: never a second Synchronize beside the first.
    if (cliAnswer.code !== 0 && !/setting_busy|sync_in_progress|joined/.test(cliAnswer.stderr))
      this.syncs.failures.push(`cli: ${cliAnswer.stderr.trim()}`);
  }

  /**
   * Whether the schedule's Synchronize, due at `due`, met a manual one: a manual run joined its job (counted
   * in burst), or it found a manual one running and joined that (then it leaves no journal entry of its own).
   */
  private async scheduleCollided(since: string, due: number): Promise<boolean> {
    if ((this.faults['schedule-collision'] ?? 0) > 0) return true;
    const setting = await this.world.api('crm', 'GET', `/sync/settings/${this.world.crmSetting}`);
    const fired = Date.parse(setting.data.nextRunAt) > due;
    const journal = await this.world.api(
      'crm',
      'GET',
      `/sync/journal?setting=${this.world.crmSetting}&limit=100`,
    );
    const ownEntry = (journal.data as { user: string | null; startedAt: string }[]).some(
      (entry) => entry.user === 'schedule' && entry.startedAt >= since,
    );
    if (fired && !ownEntry) {
      this.count('schedule-collision');
      return true;
    }
    return false;
  }

  /** Faults off: both hosts up, Synchronize until a session has nothing to send or receive. */
  private async converge(): Promise<{
    attempts: number;
    failures: string[];
    quietAt: string;
    quiet: boolean;
  }> {
    const failures: string[] = [];
    this.world.proxy.setPolicy(() => ({ kind: 'pass' }));
    for (const side of ['crm', 'bp'] as const) if (!this.world.isUp(side)) await this.world.restart(side);
    let quietAt = new Date().toISOString();
    for (let attempt = 1; attempt <= MAX_CONVERGE_ATTEMPTS; attempt += 1) {
      quietAt = new Date().toISOString();
      const result = await this.world.synchronize();
      // A session this call only joined (the schedule's) may have begun before the last replayed or
      // delayed request landed: only one begun now proves that nothing is left.
      if (result.outcome === 'ok' && result.quiet && !result.alreadyRunning)
        return { attempts: attempt, failures, quietAt, quiet: true };
      if (result.outcome !== 'ok') failures.push(`${result.error?.code}: ${result.error?.message}`);
    }
    return { attempts: MAX_CONVERGE_ATTEMPTS, failures, quietAt, quiet: false };
  }

  /**
   * Every Synchronize that failed is in the CRM's journal as a failed session with the same cause — except
   * one refused before it began because another held the setting (nothing ran, so nothing to record).
   */
  private async unjournaledFailures(since: string, until: string): Promise<string[]> {
    const journal = await this.world.api(
      'crm',
      'GET',
      `/sync/journal?setting=${this.world.crmSetting}&limit=500`,
    );
    const recorded = new Map<string, number>();
    for (const entry of journal.data as {
      operation: string;
      status: string;
      startedAt: string;
      error: { code: string } | null;
    }[]) {
      if (
        entry.operation !== 'sync' ||
        entry.status !== 'failed' ||
        entry.startedAt < since ||
        entry.startedAt >= until
      )
        continue;
      const code = entry.error?.code ?? '';
      recorded.set(code, (recorded.get(code) ?? 0) + 1);
    }
    const problems: string[] = [];
    for (const code of this.failedJobs.values()) {
      if (code === 'sync_in_progress') continue;
      const left = recorded.get(code) ?? 0;
      if (left === 0)
        problems.push(
          `journal: a Synchronize failed with ${code}, but the CRM's journal has no such session`,
        );
      else recorded.set(code, left - 1);
    }
    return problems;
  }

  async round(name: ScenarioName, round: number): Promise<RoundResult> {
    const started = Date.now();
    const since = new Date(started).toISOString();
    this.faults = {};
    this.notes = [];
    this.failedJobs = new Map();
    this.syncs = { ok: 0, failed: 0, hostDown: 0, failures: [] };
    const writesBefore = this.writeCounts();
    this.runs[name] += 1;
    try {
      await this.scenario(name, this.random.fork(`${name}#${round}`));
    } finally {
      this.world.proxy.setPolicy(() => ({ kind: 'pass' }));
    }
    const converge = await this.converge();
    const report = await checkConvergence(this.world, this.writers, {
      since,
      until: converge.quietAt,
      preMapped: PRE_MAPPED,
    });
    report.problems.push(...(await this.unjournaledFailures(since, converge.quietAt)));
    if (!converge.quiet) {
      report.problems.unshift(
        `not quiet: no Synchronize without changes in ${MAX_CONVERGE_ATTEMPTS} attempts with the faults off: ${converge.failures.join(' | ')}`,
      );
    }
    return {
      scenario: name,
      round,
      faults: this.faults,
      syncs: this.syncs,
      writes: {
        attempted: this.writeCounts().attempted - writesBefore.attempted,
        failed: this.writeCounts().failed - writesBefore.failed,
      },
      converge: { attempts: converge.attempts, failures: converge.failures },
      notes: this.notes,
      report,
      ms: Date.now() - started,
    };
  }
}

export function describeRound(dialect: string, result: RoundResult): string {
  const faults = Object.entries(result.faults)
    .map(([kind, count]) => `${kind}×${count}`)
    .join(' ');
  const types = Object.entries(result.report.digests)
    .map(([type, digest]) => `${type} ${digest.objects}${digest.crm === digest.bp ? '' : ' DIFFERS'}`)
    .join(', ');
  const { crm, bp } = result.report.counters;
  return [
    `[${dialect}] #${result.round} ${result.scenario}: faults ${faults || 'none'};`,
    ...result.notes.map((note) => `${note};`),
    `syncs ok ${result.syncs.ok}, failed ${result.syncs.failed}, cut by a kill ${result.syncs.hostDown};`,
    `writes ${result.writes.attempted} (${result.writes.failed} unconfirmed);`,
    `quiet after ${result.converge.attempts}${result.converge.failures.length ? ` (${result.converge.failures.join(' | ')})` : ''};`,
    `counters CRM ${crm.sentNo}/${crm.receivedNo} Accounting ${bp.receivedNo}/${bp.sentNo}; ${types}; ${result.ms} ms`,
  ].join(' ');
}
