import { type Command, Option } from 'commander';
import { type ApiClient, createApiClient, DEFAULT_TIMEOUT_MS, DEFAULT_URL } from './api-client.js';
import type { Metadata } from './api-types.js';
import { UsageError } from './errors.js';
import { type CliIo, createOutput, type Output } from './output.js';

/** What every client command needs: where to write, and an API client for the chosen host and infobase. */
export type CommandContext = {
  io: CliIo;
  out: Output;
  client: ApiClient;
  /** The infobase's declaration (GET /:ib/api/v1/metadata), fetched once per command. */
  metadata(): Promise<Metadata>;
};

/** Shared by `runCli` and the commands: `json` is known once a command's options are parsed. */
export type CliRuntime = {
  io: CliIo;
  state: { json: boolean };
  context(command: Command): CommandContext;
};

type ConnectionValues = { url?: string; ib?: string; user?: string; password?: string; json?: boolean };

const GLOBAL_HEADING = 'Global options (also before the command; environment in brackets):';
const globalOptions = new WeakSet<Option>();

function globalOption(flags: string, description: string): Option {
  const option = new Option(flags, description).helpGroup(GLOBAL_HEADING);
  globalOptions.add(option);
  return option;
}

/**
 * The connection options, on the program and on every client command, so they may come before or after
 * the command. `user add` keeps `--password` for the new user's password, so it passes `password: false`.
 */
export function addGlobalOptions(command: Command, options: { password?: boolean } = {}): Command {
  command
    .addOption(
      globalOption('--url <url>', `address of the ibsync host [IBSYNC_URL] (default: ${DEFAULT_URL})`),
    )
    .addOption(globalOption('--ib <name>', 'the infobase to work on [IBSYNC_IB]'))
    .addOption(globalOption('--user <login>', 'log in as this user, by HTTP Basic [IBSYNC_USER]'));
  if (options.password !== false) {
    command.addOption(globalOption('--password <password>', "the user's password [IBSYNC_PASSWORD]"));
  }
  return command.addOption(globalOption('--json', "print the API's JSON instead of text"));
}

/** Values given nearer the command win over those given before it; only the global options count. */
function connectionValues(command: Command): ConnectionValues {
  const chain: Command[] = [];
  for (let current: Command | null = command; current; current = current.parent) chain.unshift(current);
  const values: Record<string, unknown> = {};
  for (const current of chain) {
    for (const option of current.options) {
      if (!globalOptions.has(option)) continue;
      const value = current.getOptionValue(option.attributeName());
      if (value !== undefined) values[option.attributeName()] = value;
    }
  }
  return values as ConnectionValues;
}

function timeoutMs(env: CliIo['env']): number {
  const text = env.IBSYNC_TIMEOUT_MS;
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_MS;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`IBSYNC_TIMEOUT_MS must be a positive number of milliseconds, got "${text}"`);
  }
  return value;
}

export function createRuntime(io: CliIo, state: { json: boolean }): CliRuntime {
  return {
    io,
    state,
    context(command) {
      const values = connectionValues(command);
      state.json = values.json === true;
      const { env } = io;
      const user = values.user ?? env.IBSYNC_USER;
      const password = values.password ?? env.IBSYNC_PASSWORD;
      if (values.password !== undefined && user === undefined) {
        throw new UsageError('--password needs a login: pass --user LOGIN too (or set IBSYNC_USER)');
      }
      const client = createApiClient({
        url: values.url ?? env.IBSYNC_URL ?? DEFAULT_URL,
        infobase: values.ib ?? env.IBSYNC_IB,
        user: user || undefined,
        password,
        timeoutMs: timeoutMs(env),
      });
      let metadata: Promise<Metadata> | undefined;
      return {
        io,
        out: createOutput(io, state.json),
        client,
        metadata: () => {
          metadata ??= client.ib<Metadata>('GET', '/metadata');
          return metadata;
        },
      };
    },
  };
}
