import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerDataCommands } from './commands/data.js';
import { registerIbCommands } from './commands/ib.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerUserCommands } from './commands/user.js';
import { addGlobalOptions, type CliRuntime, createRuntime } from './context.js';
import { type CliIo, createOutput } from './output.js';

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return '0';
  }
}

/** The whole command tree; a fresh one per run, because commander keeps parsed values on it. */
export function buildProgram(runtime: CliRuntime): Command {
  const { io } = runtime;
  const program = new Command('ibsync')
    .description(
      'Publish CRM and accounting infobases over HTTP and synchronize their data: a client of the ibsync HTTP API',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    // Options before the command belong to the program, after it to the command: `user add --password`
    // is the new user's password, not the caller's.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Global options may also follow the command. With --json a command prints the API's JSON (a list
as a JSON array); errors go to stderr and the exit code is 1.

Examples:
  $ ibsync serve --demo
  $ ibsync ib list
  $ ibsync --ib crm user add sc12345 --password 'S3cret-pass'
  $ export IBSYNC_IB=crm IBSYNC_USER=sc12345 IBSYNC_PASSWORD='S3cret-pass'
  $ ibsync sync enable --prefix CR
  $ ibsync data list counterparty --json`,
    );
  addGlobalOptions(program);
  registerServeCommand(program, runtime);
  registerIbCommands(program, runtime);
  registerUserCommands(program, runtime);
  registerDataCommands(program, runtime);
  registerSyncCommands(program, runtime);
  return program;
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const state = { json: argv.includes('--json') };
  const program = buildProgram(createRuntime(io, state));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its usage errors and help.
    if (error instanceof CommanderError) return error.exitCode;
    createOutput(io, state.json).error(error);
    return 1;
  }
}
