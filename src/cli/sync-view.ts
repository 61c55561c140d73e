import type {
  ConnectionTest,
  JournalEntry,
  JournalItem,
  MappingItem,
  SyncResult,
  SyncSetting,
  TypeCounts,
  TypeSummary,
} from './api-types.js';
import { type Column, formatFields, formatTable } from './output.js';

/** `2026-11-02T10:00:00.123Z` → `2026-11-02 10:00:00`: the journal's times, in UTC as stored. */
export function formatTime(value: string | null): string {
  if (!value) return '';
  return value.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `bp (accounting, prefix BP)`: how the commands name the other side of a setting. */
export function describePeer(setting: SyncSetting): string {
  const prefix = setting.peer.prefix ? `, prefix ${setting.peer.prefix}` : '';
  return `${setting.peer.name ?? '?'} (${setting.peer.application}${prefix})`;
}

function describeRules(rules: SyncSetting['rules']): [string, string][] {
  const documents =
    rules.documents === 'since' ? `since ${rules.documentsSince ?? '?'}` : (rules.documents as string);
  return [
    ['sends catalogs', rules.catalogs === 'used' ? 'only those used in documents' : rules.catalogs],
    ['sends documents', documents],
    ['organizations', rules.organizations.length === 0 ? 'all' : rules.organizations.join(', ')],
  ];
}

/** What the setup still lacks on this side, in the seed's steps. */
function setupSteps(setting: SyncSetting): string {
  const step = (done: boolean, what: string) => `${what} ${done ? 'done' : 'not yet'}`;
  if (setting.role === 'initiator') return step(setting.setup.initialExportDone, 'initial export (S17)');
  return [
    step(setting.setup.loadDone, 'map and load (S20)'),
    step(setting.setup.initialExportDone, 'initial export (S21)'),
  ].join('; ');
}

export function formatSettingList(settings: readonly SyncSetting[]): string {
  return formatTable(
    [
      { header: 'id' },
      { header: 'state' },
      { header: 'role' },
      { header: 'peer' },
      { header: 'application' },
      { header: 'prefix' },
      { header: 'last sync' },
      { header: 'status' },
    ],
    settings.map((setting) => [
      setting.id,
      setting.state,
      setting.role,
      setting.peer.name ?? '',
      setting.peer.application,
      setting.peer.prefix ?? '',
      formatTime(setting.lastSyncAt),
      setting.lastSyncStatus ?? '',
    ]),
  );
}

export function formatSetting(setting: SyncSetting): string {
  const schedule = setting.scheduleSeconds
    ? `every ${setting.scheduleSeconds} s, next at ${formatTime(setting.nextRunAt)}`
    : 'by hand only';
  return formatFields([
    ['id', setting.id],
    ['state', setting.state],
    ['role', setting.role === 'initiator' ? 'initiator (Synchronize runs here)' : 'responder'],
    ['peer', describePeer(setting)],
    ['peer version', setting.peer.version ?? ''],
    ...(setting.peer.url ? ([['peer URL', setting.peer.url]] as [string, string][]) : []),
    ...(setting.peer.login ? ([['peer login', setting.peer.login]] as [string, string][]) : []),
    ['setup', setupSteps(setting)],
    ...describeRules(setting.rules),
    ['sent message no', String(setting.sentNo)],
    ['received message no', String(setting.receivedNo)],
    ['schedule', schedule],
    [
      'last sync',
      setting.lastSyncAt ? `${formatTime(setting.lastSyncAt)} (${setting.lastSyncStatus})` : 'never',
    ],
    ['created', formatTime(setting.createdAt)],
  ]);
}

export function formatRules(setting: SyncSetting): string {
  return `Rules of setting ${setting.id} with ${describePeer(setting)}:\n${formatFields(describeRules(setting.rules))}`;
}

/** The connection test passed: who answered, and what the next step needs to know. */
export function formatConnectionOk(test: Extract<ConnectionTest, { ok: true }>, url: string): string {
  const { peer } = test;
  const prefix = peer.prefix
    ? `prefix ${peer.prefix}`
    : 'no prefix yet: give one with `sync connect --peer-prefix XX` (S15)';
  const caller = peer.caller ? `; ${peer.caller.login} (${peer.caller.role}) may synchronize there` : '';
  return `OK: ${url} is "${peer.infobase}", ${peer.applicationName} (${peer.application} ${peer.applicationVersion}), ${prefix}${caller}`;
}

/** Advice for the causes a connection names (seed S3, S13, S15). */
export const CAUSE_HINTS: Record<string, string> = {
  not_reachable: 'check --peer-url: the publication address of the other infobase, e.g. https://host:8080/bp',
  not_ibsync_publication:
    'check --peer-url: it must end with the infobase name (`ibsync ib list` on that host shows it)',
  wrong_application: 'check --peer-app and --peer-url: they must name the same kind of infobase',
  incompatible_version: 'update the older of the two hosts',
  sync_disabled: 'run `ibsync sync enable` in the other infobase first (S9)',
  sync_disabled_here: 'run `ibsync sync enable --prefix XX` in this infobase first (S9, S10)',
  prefix_required: 'run `ibsync sync enable --prefix XX` in this infobase first (S10)',
  unknown_user:
    'create the pass-through user there with the same login (S2): `ibsync user add LOGIN --password P`',
  wrong_password:
    'type the password exactly as set in the other infobase: no spaces around it, Latin layout (S3)',
  passwordless_user: 'the pass-through user needs a password in the other infobase (S2)',
  account_locked: 'too many wrong passwords: wait, then try again with the right one',
  no_sync_right: 'give the user the admin or sync role in the other infobase (S4, S8)',
  prefix_clash: 'give the two infobases different prefixes (S10, S15)',
  peer_prefix_required: 'add --peer-prefix XX: two letters or digits for the other infobase (S15)',
  peer_prefix_set: 'leave out --peer-prefix, or give the prefix the other infobase already has',
};

type Outcome = keyof TypeCounts;

const OUTCOMES: readonly { key: Outcome; label: string }[] = [
  { key: 'sent', label: 'sent' },
  { key: 'created', label: 'created' },
  { key: 'updated', label: 'updated' },
  // A part of the created, updated and unchanged: those matched to an existing item (S20).
  { key: 'linked', label: 'mapped' },
  { key: 'unchanged', label: 'unchanged' },
  { key: 'deleted', label: 'deleted' },
  { key: 'skipped', label: 'skipped' },
  { key: 'heldBack', label: 'held back' },
];

const typeName = (type: string) => (type === '*' ? '(all types)' : type);

/** A table of the given outcomes per type, only the outcomes that occur (and always the first). */
function countsTable(counts: Record<string, TypeCounts>, outcomes: readonly Outcome[]): string {
  const types = Object.keys(counts).sort();
  const shown = OUTCOMES.filter(
    (outcome) =>
      outcomes.includes(outcome.key) &&
      (outcome.key === outcomes[0] || types.some((type) => (counts[type]?.[outcome.key] ?? 0) > 0)),
  );
  const columns: Column[] = [
    { header: 'type' },
    ...shown.map((o) => ({ header: o.label, align: 'right' as const })),
  ];
  return formatTable(
    columns,
    types.map((type) => [typeName(type), ...shown.map((o) => String(counts[type]?.[o.key] ?? 0))]),
  );
}

/** `sent 5, created 3, held back 1`: a journal row's counts summed over the types. */
function countsSummary(counts: Record<string, TypeCounts>): string {
  const totals = new Map<Outcome, number>();
  for (const perType of Object.values(counts)) {
    for (const { key } of OUTCOMES) totals.set(key, (totals.get(key) ?? 0) + (perType[key] ?? 0));
  }
  return OUTCOMES.filter(({ key }) => (totals.get(key) ?? 0) > 0)
    .map(({ key, label }) => `${label} ${totals.get(key)}`)
    .join(', ');
}

function formatItems(items: readonly JournalItem[]): string[] {
  return items.map(
    (item) =>
      `  ${item.level}: ${[item.type, item.ref].filter(Boolean).join(' ')}${item.type || item.ref ? ': ' : ''}${item.message} (${item.code})`,
  );
}

export function formatSyncResult(result: SyncResult): string {
  const types = [...new Set([...Object.keys(result.sent), ...Object.keys(result.received)])].sort();
  const status =
    result.status === 'ok' ? 'ok' : `with warnings (ibsync sync journal --entry ${result.journalId})`;
  const head = `Synchronized setting ${result.settingId}: ${status}`;
  if (types.length === 0) return `${head}\nNothing to send or receive: both infobases were up to date.`;
  const table = formatTable(
    [{ header: 'type' }, { header: 'sent', align: 'right' }, { header: 'received', align: 'right' }],
    types.map((type) => [type, String(result.sent[type] ?? 0), String(result.received[type] ?? 0)]),
  );
  const items = result.journal.items ?? [];
  return [head, '', table, ...(items.length > 0 ? ['', ...formatItems(items)] : [])].join('\n');
}

export function formatLoadResult(entry: JournalEntry): string {
  const items = entry.items ?? [];
  const lines = [`Mapped and loaded the data received for setting ${entry.settingId}: ${entry.status}`];
  if (Object.keys(entry.counts).length > 0) {
    lines.push(
      '',
      countsTable(entry.counts, [
        'created',
        'updated',
        'linked',
        'unchanged',
        'deleted',
        'skipped',
        'heldBack',
      ]),
    );
  }
  const errors = items.filter((item) => item.level === 'error');
  const warnings = items.filter((item) => item.level === 'warning');
  if (errors.length > 0) lines.push('', 'Held back (not loaded):', ...formatItems(errors));
  if (warnings.length > 0) lines.push('', 'Warnings:', ...formatItems(warnings));
  return lines.join('\n');
}

export function formatExportResult(entry: JournalEntry): string {
  const message =
    entry.sentMessageNo === null ? '' : `, message ${entry.sentMessageNo} (${entry.bytesSent} bytes sent)`;
  const lines = [`Initial export for setting ${entry.settingId} done${message}`];
  if (Object.keys(entry.counts).length > 0) lines.push('', countsTable(entry.counts, ['sent']));
  return lines.join('\n');
}

export function formatJournal(entries: readonly JournalEntry[]): string {
  return formatTable(
    [
      { header: 'id' },
      { header: 'started' },
      { header: 'operation' },
      { header: 'status' },
      { header: 'duration', align: 'right' },
      { header: 'counts' },
      { header: 'user' },
    ],
    entries.map((entry) => [
      entry.id,
      formatTime(entry.startedAt),
      entry.operation,
      entry.status,
      formatDuration(entry.durationMs),
      entry.error ? `${entry.error.code}: ${entry.error.message}` : countsSummary(entry.counts),
      entry.user ?? '',
    ]),
  );
}

export function formatJournalEntry(entry: JournalEntry): string {
  const lines = [
    formatFields([
      ['id', entry.id],
      ['setting', entry.settingId],
      ['operation', entry.operation],
      ['status', entry.status],
      ['started', formatTime(entry.startedAt)],
      ['finished', formatTime(entry.finishedAt)],
      ['duration', formatDuration(entry.durationMs)],
      ['user', entry.user ?? ''],
      ['sent message no', entry.sentMessageNo === null ? '' : String(entry.sentMessageNo)],
      ['received message no', entry.receivedMessageNo === null ? '' : String(entry.receivedMessageNo)],
      ['bytes sent/received', `${entry.bytesSent} / ${entry.bytesReceived}`],
      ...(entry.error
        ? ([['error', `${entry.error.code}: ${entry.error.message}`]] as [string, string][])
        : []),
    ]),
  ];
  if (Object.keys(entry.counts).length > 0) {
    lines.push(
      '',
      countsTable(
        entry.counts,
        OUTCOMES.map((o) => o.key),
      ),
    );
  }
  const items = entry.items ?? [];
  lines.push(
    '',
    items.length === 0 ? 'No warnings or errors.' : 'Warnings and errors:',
    ...formatItems(items),
  );
  return lines.join('\n');
}

/** The mapping analysis: per type how incoming objects are found here, and what needs a person. */
export function formatMapping(
  types: readonly TypeSummary[],
  review: readonly MappingItem[],
  reviewTotal: number,
): string {
  const rows = types.map((summary) => [
    typeName(summary.type),
    String(summary.total),
    String(summary.byDecision),
    String(summary.byPublicId + summary.byRef),
    Object.entries(summary.bySearch)
      .map(([fields, count]) => `${count} by ${fields}`)
      .join(', ') || '0',
    String(summary.ambiguous),
    String(summary.unmatched),
    String(summary.newByHand),
  ]);
  const lines = [
    formatTable(
      [
        { header: 'type' },
        { header: 'incoming', align: 'right' },
        { header: 'linked by hand', align: 'right' },
        { header: 'by ref', align: 'right' },
        { header: 'by search fields' },
        { header: 'ambiguous', align: 'right' },
        { header: 'new', align: 'right' },
        { header: 'new by hand', align: 'right' },
      ],
      rows,
    ),
  ];
  if (review.length > 0) {
    lines.push('', `To review (${reviewTotal}): ambiguous and unmatched objects with the local candidates`);
    for (const item of review) {
      lines.push(
        `  ${item.status === 'ambiguous' ? 'ambiguous' : 'new'}  ${item.type}:${item.peerRef}  ${item.presentation}`,
      );
      for (const candidate of item.candidates) {
        lines.push(
          `      ${candidate.score.toFixed(2)}  ${candidate.localRef}  ${candidate.presentation}  (${candidate.reason})`,
        );
      }
    }
    lines.push('', 'Link one:      ibsync sync map SETTING --link TYPE:PEER_REF=LOCAL_REF');
    lines.push('Create it new: ibsync sync map SETTING --create-new TYPE:PEER_REF');
  }
  return lines.join('\n');
}
