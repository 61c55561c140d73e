import { type Command, InvalidArgumentError, Option } from 'commander';
import type {
  ConnectionTest,
  JournalEntry,
  MappingItem,
  Metadata,
  NumberingPlan,
  SettingsResponse,
  SyncResult,
  SyncSetting,
  TypeSummary,
} from '../api-types.js';
import { addGlobalOptions, type CliRuntime, type CommandContext } from '../context.js';
import { ApiError, CauseError, CliError, ReportedFailure, UsageError } from '../errors.js';
import { runJob } from '../job-progress.js';
import { createRefResolver, isUuid } from '../object-input.js';
import { formatTable } from '../output.js';
import {
  CAUSE_HINTS,
  describePeer,
  formatConnectionOk,
  formatExportResult,
  formatJournal,
  formatJournalEntry,
  formatLoadResult,
  formatMapping,
  formatRules,
  formatSetting,
  formatSettingList,
  formatSyncResult,
  formatTime,
} from '../sync-view.js';

type EnableOptions = { prefix?: string; continueNumbering?: boolean };

/** Where a prefix change left numbering, and (S11) what continuing would have given instead. */
function describePrefixChange(settings: SettingsResponse, preview: NumberingPlan[]): string {
  const change = settings.prefixChange;
  if (!change && !settings.prefix) {
    // The peer of an exchange may leave its prefix to the infobase that connects to it (S15).
    return `Data synchronization is enabled in ${settings.name}; it has no prefix yet: set one with --prefix XX, or give it from the other infobase with sync connect --peer-prefix XX (S15).`;
  }
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

/** `sync` and its subcommands: enabling, setting up an exchange (S9–S21) and running it (S22). */
export function registerSyncCommands(program: Command, runtime: CliRuntime) {
  const sync = addGlobalOptions(
    program
      .command('sync')
      .description('data synchronization between infobases')
      .addHelpText(
        'after',
        `
Each infobase taking part enables synchronization and sets its two-character prefix (seed S9,
S10), which starts every code and number created in it. Then, in the CRM: sync connect (S12–S16),
sync export (S17); in Accounting: sync list (S18), sync rules (S19), sync load (S20), sync export
(S21); from then on sync run in the CRM (S22). A SETTING is a setting's id, as sync list shows it.`,
      ),
  );

  addGlobalOptions(
    sync
      .command('enable')
      .description('enable data synchronization and set the infobase prefix')
      .option(
        '--prefix <xx>',
        'the infobase prefix: two letters or digits (or left to the infobase that connects to this one)',
      )
      .option('--continue-numbering', 'continue after the highest numbers in use instead of restarting at 1')
      .addHelpText(
        'after',
        `
A new prefix restarts document numbers and catalog codes at 1 (CR00-000001, CR-00001) unless
--continue-numbering is given; the command prints the next numbers either way.

Examples:
  $ ibsync sync enable --ib crm --prefix CR
  $ ibsync sync enable --ib bp --prefix BP --continue-numbering
  $ ibsync sync enable --ib bp`,
      ),
  ).action(async (options: EnableOptions, command: Command) => {
    const { client, out } = runtime.context(command);
    const prefix = options.prefix;
    if (prefix === undefined && options.continueNumbering) {
      throw new UsageError('--continue-numbering goes with --prefix: it says how numbering goes on under it');
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

  registerSetupCommands(sync, runtime);
  registerJobCommands(sync, runtime);
  registerSettingCommands(sync, runtime);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function isoDate(name: string) {
  return (text: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
      throw new InvalidArgumentError(`${name} must be a date as YYYY-MM-DD`);
    }
    return text;
  };
}

function wholeNumber(name: string, min: number, max: number) {
  return (text: string) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** `TYPE:PEER_REF=LOCAL_REF` (links) or `TYPE:PEER_REF`. */
function parseDecision(option: string, text: string, withLocal: boolean) {
  const pattern = withLocal ? /^([a-z-]+):([^=]+)=(.+)$/ : /^([a-z-]+):(.+)$/;
  const parts = pattern.exec(text.trim());
  if (!parts) {
    throw new UsageError(
      `${option} "${text}" must be written as ${withLocal ? 'TYPE:PEER_REF=LOCAL_REF' : 'TYPE:PEER_REF'}`,
    );
  }
  return {
    type: parts[1]!,
    peerRef: parts[2]!,
    localRef: withLocal ? parts[3] : undefined,
    action: 'link' as const,
  };
}

const settingUrl = (id: string, rest = '') => `/sync/settings/${encodeURIComponent(id)}${rest}`;

/** Runs a request on one setting; an unknown id is reported with the ids that do exist. */
async function onSetting<T>(ctx: CommandContext, id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'unknown_setting') throw error;
    throw await unknownSetting(ctx, id, error);
  }
}

async function unknownSetting(ctx: CommandContext, id: string, original: ApiError): Promise<CliError> {
  let settings: SyncSetting[];
  try {
    settings = await ctx.client.ib<SyncSetting[]>('GET', '/sync/settings');
  } catch {
    return original;
  }
  const infobase = ctx.client.infobase();
  if (settings.length === 0) {
    return new CliError('unknown_setting', `the infobase ${infobase} has no synchronization settings yet`, {
      hint: '`ibsync sync connect …` in the CRM creates one, and the other infobase lists it then',
    });
  }
  const known = settings.map(
    (setting) => `${setting.id} (${setting.state}, with ${setting.peer.name ?? setting.peer.application})`,
  );
  return new CliError(
    'unknown_setting',
    `the infobase ${infobase} has no synchronization setting "${id}"; its settings: ${known.join('; ')}`,
    { hint: '`ibsync sync list` shows them' },
  );
}

type ConnectionOptions = { peerApp: string; peerUrl: string; peerLogin: string; peerPassword?: string };
type Connection = { peerApplication: string; peerUrl: string; peerLogin: string; peerPassword: string };

function addConnectionOptions(command: Command): Command {
  return command
    .requiredOption('--peer-app <application>', "the other infobase's application: accounting or crm")
    .requiredOption(
      '--peer-url <url>',
      'its publication address, <host URL>/<infobase> (S13), e.g. https://host:8080/bp',
    )
    .requiredOption('--peer-login <login>', 'the pass-through user there (S2)')
    .option('--peer-password <password>', "that user's password [IBSYNC_PEER_PASSWORD]");
}

function connectionOf(options: ConnectionOptions, env: CommandContext['io']['env']): Connection {
  const password = options.peerPassword ?? env.IBSYNC_PEER_PASSWORD;
  if (password === undefined) {
    throw new UsageError(
      "give the pass-through user's password in the other infobase: --peer-password P (or IBSYNC_PEER_PASSWORD)",
    );
  }
  return {
    peerApplication: options.peerApp,
    peerUrl: options.peerUrl,
    peerLogin: options.peerLogin,
    peerPassword: password,
  };
}

function causeError(test: Extract<ConnectionTest, { ok: false }>): CauseError {
  return new CauseError(test.cause, test.message, test, CAUSE_HINTS[test.cause]);
}

/** The connection test of stage 1: its credential warnings on stderr (S3), any failure by its cause. */
async function checkConnection(ctx: CommandContext, connection: Connection): Promise<ConnectionTest> {
  const test = await ctx.client.ib<ConnectionTest>('POST', '/sync/connection-test', { body: connection });
  for (const warning of test.warnings) ctx.out.warn(warning.message);
  return test;
}

type Rules = SyncSetting['rules'];
type RuleOptions = {
  catalogs?: Rules['catalogs'];
  documents?: 'all' | 'none';
  documentsSince?: string;
  organization?: string[];
  allOrganizations?: boolean;
};

/** Only what was given: the API keeps (or defaults) the rest. */
function rulesOf(options: RuleOptions, documentsFlag: string): Partial<Rules> {
  const rules: Partial<Rules> = {};
  if (options.catalogs) rules.catalogs = options.catalogs;
  if (options.documentsSince !== undefined) {
    if (options.documents === 'none') {
      throw new UsageError(`--documents-since goes with sending documents, not with ${documentsFlag} none`);
    }
    rules.documents = 'since';
    rules.documentsSince = options.documentsSince;
  } else if (options.documents) {
    rules.documents = options.documents;
  }
  if (options.organization?.length) {
    if (options.allOrganizations) {
      throw new UsageError('--organization and --all-organizations exclude each other');
    }
    rules.organizations = options.organization;
  } else if (options.allOrganizations) {
    rules.organizations = [];
  }
  return rules;
}

const ORGANIZATION_HELP = "only this organization's data, by INN (repeatable; default: all)";

/** Connection test and connect: stage 1 in the infobase that sets the exchange up (S12–S16). */
function registerSetupCommands(sync: Command, runtime: CliRuntime) {
  addGlobalOptions(
    addConnectionOptions(
      sync
        .command('test')
        .description('test the connection to another infobase and name the cause of any failure (S13)'),
    ).addHelpText(
      'after',
      `
Checks the address, the application, that synchronization is enabled there, the user, its
password and its rights, the versions and the prefixes; warns about spaces and non-Latin
characters in the login or password (S3). Exit code 1 when the test fails.

Examples:
  $ ibsync sync test --ib crm --peer-app accounting --peer-url http://127.0.0.1:8080/bp \\
      --peer-login sc12345 --peer-password 'S3cret-pass'`,
    ),
  ).action(async (options: ConnectionOptions, command: Command) => {
    const ctx = runtime.context(command);
    const connection = connectionOf(options, ctx.io.env);
    const test = await checkConnection(ctx, connection);
    if (test.ok) {
      ctx.out.result(test, () => formatConnectionOk(test, connection.peerUrl));
      return;
    }
    if (!ctx.out.json) throw causeError(test);
    ctx.out.result(test, () => '');
    throw new ReportedFailure(test.cause, test.message);
  });

  addGlobalOptions(
    addConnectionOptions(
      sync
        .command('connect')
        .description('new synchronization with another infobase: connect, create both sides (S12–S16)'),
    )
      .option('--peer-prefix <xx>', 'the prefix for the other infobase, if it has none yet (S15)')
      .addOption(
        new Option(
          '--catalogs <which>',
          'catalogs to send: all, or only those used in documents (S16)',
        ).choices(['all', 'used']),
      )
      .addOption(
        new Option('--documents <which>', 'documents to send (default: all)').choices(['all', 'none']),
      )
      .option(
        '--documents-since <date>',
        'send only documents dated from YYYY-MM-DD',
        isoDate('--documents-since'),
      )
      .option('--organization <inn>', ORGANIZATION_HELP, collect)
      .addHelpText(
        'after',
        `
Tests the connection first and names the cause of a failure. Prints the new setting's id (and
only it, so that a script can keep it); running the same command again changes nothing and
prints the same id. Defaults: catalogs used, documents all. Next: sync export SETTING (S17).

Examples:
  $ ibsync sync connect --ib crm --peer-app accounting --peer-url https://cloud.example.com/bp \\
      --peer-login sc12345 --documents-since 2026-01-01 --organization 7701234567
  $ SETTING=$(ibsync sync connect --ib crm --peer-app accounting --peer-url http://127.0.0.1:8080/bp \\
      --peer-login sc12345 --peer-password 'S3cret-pass' --peer-prefix BP --catalogs used --documents all)`,
      ),
  ).action(async (options: ConnectionOptions & RuleOptions & { peerPrefix?: string }, command: Command) => {
    const ctx = runtime.context(command);
    const connection = connectionOf(options, ctx.io.env);
    const rules = rulesOf(options, '--documents');
    const test = await checkConnection(ctx, connection);
    if (!test.ok) throw causeError(test);
    let setting: SyncSetting;
    try {
      setting = await ctx.client.ib<SyncSetting>('POST', '/sync/settings', {
        body: {
          ...connection,
          ...(options.peerPrefix !== undefined ? { peerPrefix: options.peerPrefix } : {}),
          ...(Object.keys(rules).length > 0 ? { rules } : {}),
        },
      });
    } catch (error) {
      // A conflict here is a named cause like the test's (e.g. peer_prefix_required).
      if (error instanceof ApiError && error.status === 409) {
        throw new CauseError(error.code, error.message, error.body, CAUSE_HINTS[error.code] ?? error.hint);
      }
      throw error;
    }
    if (ctx.out.json) {
      ctx.out.result(setting, () => '');
      return;
    }
    ctx.out.line(setting.id);
    ctx.out.note(
      `connected to ${describePeer(setting)}; the setting is ${setting.state}: next, \`ibsync sync export ${setting.id}\` (S17)`,
    );
  });
}

/** The long steps: each a job on the host, followed here to its end with its progress. */
function registerJobCommands(sync: Command, runtime: CliRuntime) {
  addGlobalOptions(
    sync
      .command('export')
      .description('run the initial data export of a setting (S17 in the CRM, S21 in Accounting)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .addHelpText(
        'after',
        `
In the infobase that set the exchange up, sends everything its rules send; the other infobase
keeps it for mapping. In the other infobase, run it after sync load: it completes the setup.

Examples:
  $ ibsync sync export --ib crm "$SETTING"
  $ ibsync sync export --ib bp "$SETTING" --json`,
      ),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const ctx = runtime.context(command);
    const job = await onSetting(ctx, id, () =>
      runJob(ctx, 'initial-export', settingUrl(id, '/initial-export')),
    );
    const entry = job.result as JournalEntry;
    ctx.out.result(entry, () => formatExportResult(entry));
  });

  addGlobalOptions(
    sync
      .command('load')
      .description('map the data received during setup to existing items and load it (S20)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .option('--dry-run', 'show what the load would create, update and link, writing nothing')
      .addHelpText(
        'after',
        `
Incoming items are matched to existing ones by your decisions (sync map), by ref, then by key
properties (INN and KPP, SKU, code, name), so that nothing is duplicated; an object that cannot be
loaded is held back with its reason. Prints per type how many items were created, updated,
linked to existing ones, unchanged and held back.

Examples:
  $ ibsync sync load --ib bp "$SETTING" --dry-run
  $ ibsync sync load --ib bp "$SETTING"`,
      ),
  ).action(async (id: string, options: { dryRun?: boolean }, command: Command) => {
    const ctx = runtime.context(command);
    const job = await onSetting(ctx, id, () =>
      runJob(ctx, 'load', settingUrl(id, '/load'), options.dryRun ? { dryRun: 'true' } : {}),
    );
    const entry = job.result as JournalEntry;
    ctx.out.result(entry, () =>
      options.dryRun ? `Dry run, nothing written:\n${formatLoadResult(entry)}` : formatLoadResult(entry),
    );
  });

  addGlobalOptions(
    sync
      .command('map')
      .description(
        'the mapping of the data received during setup: what matches, what is ambiguous, what is new (S20)',
      )
      .argument('<setting>', 'the setting id (sync list shows it)')
      .option(
        '--link <type:peerRef=localRef>',
        'link an incoming object to a local one (repeatable)',
        collect,
        [],
      )
      .option(
        '--unlink <type:peerRef>',
        'forget a link or decision: map it automatically again (repeatable)',
        collect,
        [],
      )
      .option(
        '--create-new <type:peerRef>',
        'have an incoming object created as new (repeatable)',
        collect,
        [],
      )
      .option('--type <type>', 'show only this type in the review')
      .option('--limit <n>', 'how many objects to review at most', wholeNumber('--limit', 1, 1000), 50)
      .addHelpText(
        'after',
        `
Analyses the data waiting to be loaded without writing it: per type how many objects match by
your decisions, by ref, by search fields (and which), how many are ambiguous (several local
candidates) and how many are new; then lists the ambiguous and unmatched ones with the local
candidates, a score and the reason. Decisions are kept on the setting and used by the load and
every later Synchronize. LOCAL_REF may be a ref or a code.

Examples:
  $ ibsync sync map --ib bp "$SETTING"
  $ ibsync sync map --ib bp "$SETTING" --link counterparty:6f1c…=BP-00012
  $ ibsync sync map --ib bp "$SETTING" --create-new product:8a2e… --json`,
      ),
  ).action(
    async (
      id: string,
      options: { link: string[]; unlink: string[]; createNew: string[]; type?: string; limit: number },
      command: Command,
    ) => {
      const ctx = runtime.context(command);
      await onSetting(ctx, id, async () => {
        const decisions = [
          ...options.link.map((text) => parseDecision('--link', text, true)),
          ...options.unlink.map((text) => ({
            ...parseDecision('--unlink', text, false),
            action: 'unlink' as const,
          })),
          ...options.createNew.map((text) => ({
            ...parseDecision('--create-new', text, false),
            action: 'create-new' as const,
          })),
        ];
        for (const decision of decisions) {
          const localRef =
            decision.localRef && !isUuid(decision.localRef)
              ? await createRefResolver(ctx.client, await ctx.client.ib<Metadata>('GET', '/metadata')).object(
                  decision.type,
                  decision.localRef,
                )
              : decision.localRef;
          await ctx.client.ib('POST', settingUrl(id, '/mapping/decisions'), {
            body: {
              type: decision.type,
              peerRef: decision.peerRef,
              action: decision.action,
              ...(localRef ? { localRef } : {}),
            },
          });
        }
        const analysis = await ctx.client.ib<{ types: TypeSummary[] }>('GET', settingUrl(id, '/mapping'));
        const review = await ctx.client.ib<{ items: MappingItem[]; total: number }>(
          'GET',
          settingUrl(id, '/mapping/items'),
          {
            query: {
              status: 'review',
              limit: String(options.limit),
              ...(options.type ? { type: options.type } : {}),
            },
          },
        );
        ctx.out.result({ types: analysis.types, review: review.items }, () =>
          analysis.types.length === 0
            ? 'Nothing is waiting to be mapped: the initial data was loaded, or has not arrived yet.'
            : formatMapping(analysis.types, review.items, review.total),
        );
      });
    },
  );

  addGlobalOptions(
    sync
      .command('run')
      .description('Synchronize: receive what the other infobase has for this one, then send (S22)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .addHelpText(
        'after',
        `
Runs in the infobase where the exchange was set up, by any user with the admin or sync role.
A second run while one is going joins it. With --json prints the result: per-type counts "sent"
and "received", "status", "settingId" and "journalId".

Examples:
  $ ibsync sync run --ib crm "$SETTING"
  $ ibsync sync run --ib crm --user clerk --password pw "$SETTING" --json`,
      ),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const ctx = runtime.context(command);
    const job = await onSetting(ctx, id, () => runJob(ctx, 'sync', settingUrl(id, '/run')));
    const result = job.result as SyncResult;
    ctx.out.result(result, () => formatSyncResult(result));
  });
}

/** Listing, inspecting and changing settings, and the journal. */
function registerSettingCommands(sync: Command, runtime: CliRuntime) {
  addGlobalOptions(
    sync
      .command('list')
      .description('list the synchronization settings of an infobase with their state (S18)')
      .addHelpText(
        'after',
        `
A setting created from the other infobase is listed at once as pending (S18); it becomes ready
when both sides have finished the setup.

Examples:
  $ ibsync sync list --ib bp
  $ ibsync sync list --ib crm --json`,
      ),
  ).action(async (_options: unknown, command: Command) => {
    const { client, out } = runtime.context(command);
    const settings = await client.ib<SyncSetting[]>('GET', '/sync/settings');
    out.result(settings, () =>
      settings.length === 0
        ? `The infobase ${client.infobase()} has no synchronization settings yet; \`ibsync sync connect …\` creates one.`
        : formatSettingList(settings),
    );
  });

  addGlobalOptions(
    sync
      .command('status')
      .description('show one setting: its state, setup steps, rules, message counters and schedule')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .addHelpText(
        'after',
        `
Examples:
  $ ibsync sync status --ib crm "$SETTING"`,
      ),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const ctx = runtime.context(command);
    const setting = await onSetting(ctx, id, () => ctx.client.ib<SyncSetting>('GET', settingUrl(id)));
    ctx.out.result(setting, () => formatSetting(setting));
  });

  addGlobalOptions(
    sync
      .command('rules')
      .description('set what this infobase sends to the other one (S16, S19)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .addOption(
        new Option(
          '--send-catalogs <which>',
          'catalogs: none, used (only those used in documents) or all',
        ).choices(['none', 'used', 'all']),
      )
      .addOption(new Option('--send-documents <which>', 'documents: none or all').choices(['none', 'all']))
      .option(
        '--documents-since <date>',
        'send only documents dated from YYYY-MM-DD',
        isoDate('--documents-since'),
      )
      .option('--organization <inn>', ORGANIZATION_HELP, collect)
      .option('--all-organizations', 'drop the organization filter')
      .addHelpText(
        'after',
        `
Without options shows the current rules. Accounting usually only receives: do not send (S19).

Examples:
  $ ibsync sync rules --ib bp "$SETTING" --send-catalogs none --send-documents none
  $ ibsync sync rules --ib crm "$SETTING" --send-catalogs used --documents-since 2026-01-01`,
      ),
  ).action(
    async (
      id: string,
      options: Omit<RuleOptions, 'catalogs' | 'documents'> & {
        sendCatalogs?: Rules['catalogs'];
        sendDocuments?: 'all' | 'none';
      },
      command: Command,
    ) => {
      const ctx = runtime.context(command);
      const rules = rulesOf(
        { ...options, catalogs: options.sendCatalogs, documents: options.sendDocuments },
        '--send-documents',
      );
      const setting = await onSetting(ctx, id, () =>
        Object.keys(rules).length === 0
          ? ctx.client.ib<SyncSetting>('GET', settingUrl(id))
          : ctx.client.ib<SyncSetting>('PATCH', settingUrl(id, '/rules'), { body: rules }),
      );
      ctx.out.result(setting, () => formatRules(setting));
    },
  );

  addGlobalOptions(
    sync
      .command('schedule')
      .description('Synchronize on a schedule, every so many seconds, or only by hand (off)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .requiredOption('--every <seconds|off>', 'the interval in seconds (10 to 604800), or off', (text) =>
        text === 'off' ? 'off' : wholeNumber('--every', 10, 7 * 86400)(text),
      )
      .addHelpText(
        'after',
        `
The schedule runs in the infobase where the exchange was set up.

Examples:
  $ ibsync sync schedule --ib crm "$SETTING" --every 300
  $ ibsync sync schedule --ib crm "$SETTING" --every off`,
      ),
  ).action(async (id: string, options: { every: number | 'off' }, command: Command) => {
    const ctx = runtime.context(command);
    const intervalSeconds = options.every === 'off' ? null : options.every;
    const setting = await onSetting(ctx, id, () =>
      ctx.client.ib<SyncSetting>('PATCH', settingUrl(id, '/schedule'), { body: { intervalSeconds } }),
    );
    ctx.out.result(setting, () =>
      setting.scheduleSeconds
        ? `Setting ${setting.id}: Synchronize runs every ${setting.scheduleSeconds} s, next at ${formatTime(setting.nextRunAt)} UTC.`
        : `Setting ${setting.id}: no schedule; \`ibsync sync run ${setting.id}\` synchronizes by hand.`,
    );
  });

  addGlobalOptions(
    sync
      .command('delete')
      .description('delete a setting (from the infobase that set it up: on both sides)')
      .argument('<setting>', 'the setting id (sync list shows it)')
      .addHelpText(
        'after',
        `
Examples:
  $ ibsync sync delete --ib crm "$SETTING"`,
      ),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const ctx = runtime.context(command);
    const setting = await onSetting(ctx, id, async () => {
      const found = await ctx.client.ib<SyncSetting>('GET', settingUrl(id));
      await ctx.client.ib<undefined>('DELETE', settingUrl(id));
      return found;
    });
    ctx.out.result({ id: setting.id, deleted: true }, () =>
      setting.role === 'initiator'
        ? `Deleted setting ${setting.id} with ${describePeer(setting)}, here and there.`
        : `Deleted setting ${setting.id} here; ${setting.peer.name ?? 'the other infobase'} keeps its side until it is deleted there.`,
    );
  });

  addGlobalOptions(
    sync
      .command('journal')
      .description('show the journal of synchronization sessions, newest first, or one session (S22)')
      .argument('[setting]', 'only the sessions of this setting')
      .option(
        '--limit <n>',
        'at most this many sessions (default 50, at most 500)',
        wholeNumber('--limit', 1, 500),
      )
      .option('--entry <id>', 'one session with its per-object warnings and errors')
      .addHelpText(
        'after',
        `
Examples:
  $ ibsync sync journal --ib crm
  $ ibsync sync journal --ib crm "$SETTING" --limit 10
  $ ibsync sync journal --ib crm --entry 3f2c…`,
      ),
  ).action(async (id: string | undefined, options: { limit?: number; entry?: string }, command: Command) => {
    const ctx = runtime.context(command);
    if (options.entry !== undefined) {
      const entry = await ctx.client.ib<JournalEntry>(
        'GET',
        `/sync/journal/${encodeURIComponent(options.entry)}`,
      );
      ctx.out.result(entry, () => formatJournalEntry(entry));
      return;
    }
    // The journal filter alone would answer an unknown id with an empty list.
    if (id !== undefined) await onSetting(ctx, id, () => ctx.client.ib<SyncSetting>('GET', settingUrl(id)));
    const entries = await ctx.client.ib<JournalEntry[]>('GET', '/sync/journal', {
      query: { setting: id, limit: options.limit },
    });
    ctx.out.result(entries, () =>
      entries.length === 0 ? 'No synchronization sessions yet.' : formatJournal(entries),
    );
  });
}
