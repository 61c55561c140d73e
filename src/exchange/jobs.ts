import { randomUUID } from 'node:crypto';
import { AppError } from '../platform/errors.js';

export type JobKind = 'sync' | 'initial-export' | 'load';
export type JobState = 'running' | 'done' | 'failed';
export type JobProgress = { phase: string; done: number; total: number };

export type Job = {
  id: string;
  kind: JobKind;
  infobase: string;
  settingId: string;
  state: JobState;
  progress: JobProgress;
  startedAt: string;
  finishedAt: string | null;
  result: unknown;
  error: { code: string; message: string } | null;
};

const KEEP_FINISHED = 200;

/**
 * Long operations run as jobs in this process, so a client can follow their progress and a second
 * request for the same setting joins the running job instead of starting another.
 */
export function createJobRunner() {
  const jobs = new Map<string, Job & { promise: Promise<void> }>();

  function running(infobase: string, settingId: string) {
    return [...jobs.values()].find(
      (job) => job.infobase === infobase && job.settingId === settingId && job.state === 'running',
    );
  }

  function prune() {
    const finished = [...jobs.values()].filter((job) => job.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(job.id);
  }

  function view(job: Job): Job {
    const { id, kind, infobase, settingId, state, progress, startedAt, finishedAt, result, error } = job;
    return {
      id,
      kind,
      infobase,
      settingId,
      state,
      progress: { ...progress },
      startedAt,
      finishedAt,
      result,
      error,
    };
  }

  return {
    /** Starts a job, or returns the one already running for this setting (`alreadyRunning`). */
    start(
      kind: JobKind,
      infobase: string,
      settingId: string,
      work: (progress: (phase: string, done?: number, total?: number) => void) => Promise<unknown>,
    ): { job: Job; alreadyRunning: boolean } {
      const existing = running(infobase, settingId);
      if (existing?.kind === kind) return { job: view(existing), alreadyRunning: true };
      if (existing) {
        throw new AppError(
          'setting_busy',
          `This synchronization setting is busy with another operation (${existing.kind}); wait for it to finish`,
          { status: 409, details: { jobId: existing.id } },
        );
      }
      prune();
      const job: Job & { promise: Promise<void> } = {
        id: randomUUID(),
        kind,
        infobase,
        settingId,
        state: 'running',
        progress: { phase: 'starting', done: 0, total: 0 },
        startedAt: new Date().toISOString(),
        finishedAt: null,
        result: null,
        error: null,
        promise: Promise.resolve(),
      };
      const report = (phase: string, done = 0, total = 0) => {
        job.progress = { phase, done, total };
      };
      job.promise = work(report).then(
        (result) => {
          job.state = 'done';
          job.result = result;
          job.finishedAt = new Date().toISOString();
        },
        (error: unknown) => {
          job.state = 'failed';
          job.error =
            error instanceof AppError
              ? { code: error.code, message: error.message }
              : { code: 'internal_error', message: 'the operation failed; the host log has the details' };
          job.finishedAt = new Date().toISOString();
          if (!(error instanceof AppError)) console.error(error);
        },
      );
      jobs.set(job.id, job);
      return { job: view(job), alreadyRunning: false };
    },

    get(id: string): Job | undefined {
      const job = jobs.get(id);
      return job ? view(job) : undefined;
    },

    /** Waits for a job to finish, at most `timeoutMs`; returns its state then. */
    async wait(id: string, timeoutMs: number): Promise<Job | undefined> {
      const job = jobs.get(id);
      if (!job) return undefined;
      await Promise.race([job.promise, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      return view(job);
    },

    async drain(): Promise<void> {
      await Promise.allSettled([...jobs.values()].map((job) => job.promise));
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
