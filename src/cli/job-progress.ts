import type { Options, Params } from 'cli-progress';
import type { SyncJob } from './api-types.js';
import type { CommandContext } from './context.js';
import { ApiError, CliError } from './errors.js';
import type { TextSink } from './output.js';

/**
 * How long one request waits for the job (the API's `?wait`, whole seconds): it answers as soon as the
 * job ends, so a short job costs one request, and a long one shows progress about once a second.
 */
const WAIT_SECONDS = 1;

export type JobKind = SyncJob['kind'];

export const JOB_LABELS: Record<JobKind, string> = {
  sync: 'Synchronize',
  'initial-export': 'initial export',
  load: 'map and load',
};

type ProgressView = { show(job: SyncJob): void; stop(): void };

/** A terminal gets a redrawn bar. cli-progress only writes to the stream and reads `isTTY` and `columns`. */
function terminalOf(sink: TextSink): NodeJS.WritableStream | undefined {
  return sink.isTTY === true ? (sink as unknown as NodeJS.WritableStream) : undefined;
}

async function barView(stream: NodeJS.WritableStream, label: string): Promise<ProgressView> {
  // Loaded only for a terminal; a CommonJS module, whose `Format` only its default export carries.
  const { default: cliProgress } = await import('cli-progress');
  const { Format, SingleBar } = cliProgress;
  // A phase without a known total (connecting, starting) shows no bar rather than a meaningless 0/0.
  const format = (options: Options, params: Params, payload: { phase?: string }) => {
    const head = `${label}: ${payload.phase ?? ''}`;
    return params.total > 0
      ? `${head} ${Format.BarFormat(params.progress, options)} ${params.value}/${params.total}`
      : `${head}…`;
  };
  // The cursor stays visible: a hidden one would stay hidden after Ctrl+C, and cli-progress's own
  // SIGINT handler would keep the process from ending.
  const bar = new SingleBar({ stream, format, hideCursor: false, clearOnComplete: true, barsize: 30 });
  let started = false;
  return {
    show({ progress }) {
      if (!started) {
        bar.start(progress.total, progress.done, { phase: progress.phase });
        started = true;
        return;
      }
      bar.setTotal(progress.total);
      bar.update(progress.done, { phase: progress.phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Not a terminal (a log, a pipe): a line whenever the phase or the count changes. */
function lineView(sink: TextSink, label: string): ProgressView {
  let last = '';
  return {
    show({ progress }) {
      if (progress.phase === 'starting') return;
      const line =
        progress.total > 0
          ? `${label}: ${progress.phase} ${progress.done}/${progress.total}`
          : `${label}: ${progress.phase}`;
      if (line !== last) sink.write(`${line}\n`);
      last = line;
    },
    stop() {},
  };
}

const silentView: ProgressView = { show() {}, stop() {} };

async function progressView(ctx: CommandContext, label: string): Promise<ProgressView> {
  if (ctx.out.json) return silentView;
  const terminal = terminalOf(ctx.io.stderr);
  return terminal ? barView(terminal, label) : lineView(ctx.io.stderr, label);
}

/**
 * Starts a job (POST `path`) and follows it to its end, showing its progress on stderr. Returns the
 * finished job; a failed job becomes an error with the job's own code and message.
 */
export async function runJob(
  ctx: CommandContext,
  kind: JobKind,
  path: string,
  query: Record<string, string> = {},
): Promise<SyncJob> {
  const label = JOB_LABELS[kind];
  const started = await ctx.client.ib<SyncJob>('POST', path, { query: { ...query, wait: WAIT_SECONDS } });
  if (started.kind !== kind) {
    // The API joins whatever runs for the setting; another kind of job is not what was asked for.
    throw new CliError(
      'setting_busy',
      `the ${JOB_LABELS[started.kind]} of this setting is running (since ${started.startedAt}); run this again when it has finished`,
    );
  }
  if (started.alreadyRunning && !ctx.out.json) {
    ctx.out.note(`joined the ${label} already running for this setting (since ${started.startedAt})`);
  }
  let job = started;
  const view = job.state === 'running' ? await progressView(ctx, label) : silentView;
  try {
    while (job.state === 'running') {
      view.show(job);
      job = await poll(ctx, job.id);
    }
  } finally {
    view.stop();
  }
  if (job.state === 'failed') {
    const error = job.error ?? { code: 'job_failed', message: `the ${label} failed` };
    throw new CliError(error.code, error.message);
  }
  return job;
}

async function poll(ctx: CommandContext, id: string): Promise<SyncJob> {
  try {
    return await ctx.client.ib<SyncJob>('GET', `/sync/jobs/${encodeURIComponent(id)}`, {
      query: { wait: WAIT_SECONDS },
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unknown_job') {
      throw new CliError('job_lost', `the host no longer knows job ${id}: was it restarted?`, {
        hint: '`ibsync sync journal SETTING` shows whether the operation finished; run it again if not',
      });
    }
    throw error;
  }
}
