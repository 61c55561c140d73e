import type { Command } from 'commander';
import type { NumberingPlan, SettingsResponse } from '../api-types.js';
import { addGlobalOptions, type CliRuntime } from '../context.js';
import { UsageError } from '../errors.js';
import { formatTable } from '../output.js';

type EnableOptions = { prefix?: string; continueNumbering?: boolean };

/** Where a prefix change left numbering, and (S11) what continuing would have given instead. */
function describePrefixChange(settings: SettingsResponse, preview: NumberingPlan[]): string {
  const change = settings.prefixChange;
  if (!change)
    return `Data synchronization is enabled in ${settings.name} (infobase prefix ${settings.prefix}).`;
  const was = change.previousPrefix ? `was ${change.previousPrefix}` : 'none before';
  const mode = change.continueNumbering
    ? 'Numbering continues after the highest numbers in use.'
    : 'Numbering restarts at 1 under the new prefix.';
  return [
    `Data synchronization is enabled in ${settings.name}; infobase prefix ${change.prefix} (${was}).`,
    mode,
    '',
    formatTable(
      [{ header: 'type' }, { header: 'next number' }],
      change.nextNumbers.map((next) => [next.type, next.next]),
    ),
    ...restartNote(change.continueNumbering, change.prefix, preview),
  ].join('\n');
}

function restartNote(continued: boolean, prefix: string, preview: NumberingPlan[]): string[] {
  const differing = preview.filter((plan) => plan.continue !== plan.restart);
  if (continued || differing.length === 0) return [];
  const examples = differing
    .slice(0, 3)
    .map((plan) => `${plan.type} ${plan.continue}`)
    .join(', ');
  return [
    '',
    `Numbers are already in use: to continue after them instead (${examples}${differing.length > 3 ? ', …' : ''}), run`,
    `  ibsync sync enable --prefix ${prefix} --continue-numbering`,
  ];
}

/** `sync` and its subcommands; the exchange commands (connect, rules, map, load, export, run, …) join here. */
export function registerSyncCommands(program: Command, runtime: CliRuntime) {
  const sync = addGlobalOptions(
    program
      .command('sync')
      .description('data synchronization between infobases')
      .addHelpText(
        'after',
        `
Each infobase taking part enables synchronization and sets its two-character prefix (seed S9,
S10), which starts every code and number created in it.`,
      ),
  );

  addGlobalOptions(
    sync
      .command('enable')
      .description('enable data synchronization and set the infobase prefix')
      .option('--prefix <xx>', 'the infobase prefix: two letters or digits (needed the first time)')
      .option('--continue-numbering', 'continue after the highest numbers in use instead of restarting at 1')
      .addHelpText(
        'after',
        `
A new prefix restarts document numbers and catalog codes at 1 (CR00-000001, CR-00001) unless
--continue-numbering is given; the command prints the next numbers either way.

Examples:
  $ ibsync sync enable --ib crm --prefix CR
  $ ibsync sync enable --ib bp --prefix BP --continue-numbering`,
      ),
  ).action(async (options: EnableOptions, command: Command) => {
    const { client, out } = runtime.context(command);
    const prefix = options.prefix;
    if (prefix === undefined && options.continueNumbering) {
      throw new UsageError('--continue-numbering goes with --prefix: it says how numbering goes on under it');
    }
    if (prefix === undefined) {
      const current = await client.ib<SettingsResponse>('GET', '/settings');
      if (!current.prefix) {
        throw new UsageError(`the infobase ${current.name} has no prefix yet: give --prefix XX`, {
          hint: 'two letters or digits; they start every code and number created in this infobase',
        });
      }
    }
    // The preview tells what continuing would give, to point out a restart the user may not want.
    const preview =
      prefix === undefined || options.continueNumbering || out.json
        ? []
        : await client.ib<NumberingPlan[]>('GET', '/settings/prefix-preview', { query: { prefix } });
    const settings = await client.ib<SettingsResponse>('PATCH', '/settings', {
      body: {
        syncEnabled: true,
        ...(prefix !== undefined ? { prefix, continueNumbering: options.continueNumbering === true } : {}),
      },
    });
    out.result(settings, () => describePrefixChange(settings, preview));
  });

  addGlobalOptions(sync.command('disable').description('disable data synchronization')).action(
    async (_options: unknown, command: Command) => {
      const { client, out } = runtime.context(command);
      const settings = await client.ib<SettingsResponse>('PATCH', '/settings', {
        body: { syncEnabled: false },
      });
      out.result(settings, () => `Data synchronization is disabled in ${settings.name}.`);
    },
  );
}
