import { createHash } from 'node:crypto';
import { type DataWriter, ROMASHKA } from './data-writer.js';
import type { FaultWorld, Loose, Side } from './fault-world.js';

type FieldDef = { name: string; type: { kind: string; to?: string } };
type TypeDef = {
  name: string;
  kind: 'catalog' | 'document';
  code?: { kind: string };
  fields: FieldDef[];
  tabularSections: { name: string; fields: FieldDef[] }[];
};

type Snapshot = {
  side: Side;
  objects: Map<string, Loose[]>;
  byRef: Map<string, { type: string; object: Loose }>;
};

export type ConvergenceReport = {
  problems: string[];
  /** Per exchanged type: the canonical digest on both sides and how many objects it covers. */
  digests: Record<string, { crm: string; bp: string; objects: number }>;
  counters: { crm: { sentNo: number; receivedNo: number }; bp: { sentNo: number; receivedNo: number } };
};

async function listAll(world: FaultWorld, side: Side, type: string): Promise<Loose[]> {
  const items: Loose[] = [];
  for (let offset = 0; ; offset += 1000) {
    const answer = await world.api(
      side,
      'GET',
      `/data/${type}?limit=1000&offset=${offset}&includeDeleted=true`,
    );
    if (answer.status !== 200)
      throw new Error(`listing ${type} in ${side}: ${answer.status} ${JSON.stringify(answer.data)}`);
    items.push(...answer.data.items);
    if (answer.data.items.length < 1000) return items;
  }
}

async function snapshot(world: FaultWorld, side: Side, types: readonly TypeDef[]): Promise<Snapshot> {
  const objects = new Map<string, Loose[]>();
  const byRef = new Map<string, { type: string; object: Loose }>();
  for (const def of types) {
    const items = await listAll(world, side, def.name);
    objects.set(def.name, items);
    for (const object of items) byRef.set(object.ref, { type: def.name, object });
  }
  return { side, objects, byRef };
}

/**
 * What makes an object "the same" on both sides when refs may differ (Accounting maps its own existing
 * objects, S20): documents by number, catalog items by their identifying fields.
 */
function identity(snap: Snapshot, type: string, object: Loose): string {
  switch (type) {
    case 'customer-invoice':
    case 'sale':
    case 'incoming-payment':
      return `${object.number}@${String(object.date).slice(0, 4)}`;
    case 'unit':
    case 'currency':
      return String(object.code);
    case 'counterparty':
      return object.inn ? `${object.inn}/${object.kpp ?? ''}` : `name:${object.name}`;
    case 'organization':
      return object.inn ? String(object.inn) : `name:${object.name}`;
    case 'product':
      return object.sku ? String(object.sku) : `name:${object.name}`;
    case 'bank-account':
      return String(object.number);
    case 'contract':
      return `${refIdentity(snap, object.counterparty)}|${object.number ?? ''}|${object.date ?? ''}`;
    default:
      return String(object.ref);
  }
}

function refIdentity(snap: Snapshot, ref: unknown): string | null {
  if (ref === null || ref === undefined || ref === '') return null;
  const target = snap.byRef.get(String(ref));
  return target ? `${target.type}:${identity(snap, target.type, target.object)}` : `dangling:${String(ref)}`;
}

/** The object as both sides must agree on it: its exchanged fields, with references as identities. */
function canonical(snap: Snapshot, def: TypeDef, object: Loose): string {
  const value = (field: FieldDef, raw: unknown) =>
    field.type.kind === 'ref' ? refIdentity(snap, raw) : (raw ?? null);
  const out: Record<string, unknown> = { key: identity(snap, def.name, object), deleted: object.deleted };
  if (def.kind === 'document') {
    out.number = object.number;
    out.date = object.date;
    out.posted = object.posted ?? false;
  } else if (def.code?.kind === 'natural') {
    out.code = object.code;
  }
  for (const field of def.fields) out[field.name] = value(field, object[field.name]);
  for (const section of def.tabularSections) {
    out[section.name] = ((object[section.name] ?? []) as Loose[]).map((line) =>
      Object.fromEntries(section.fields.map((field) => [field.name, value(field, line[field.name])])),
    );
  }
  return JSON.stringify(out);
}

/** A side's objects the other must have: every document, and the catalog items the rules send. */
function expectedAtPeer(crm: Snapshot, types: readonly TypeDef[], catalogs: 'used' | 'all') {
  const expected = new Map<string, { type: string; object: Loose }>();
  const queue: { type: string; object: Loose }[] = [];
  for (const def of types) {
    if (def.kind === 'document' || catalogs === 'all') {
      for (const object of crm.objects.get(def.name) ?? []) queue.push({ type: def.name, object });
    }
  }
  const defs = new Map(types.map((def) => [def.name, def]));
  while (queue.length > 0) {
    const entry = queue.pop()!;
    if (expected.has(entry.object.ref)) continue;
    expected.set(entry.object.ref, entry);
    const def = defs.get(entry.type)!;
    const refs: unknown[] = [];
    for (const field of def.fields) if (field.type.kind === 'ref') refs.push(entry.object[field.name]);
    for (const section of def.tabularSections) {
      for (const line of (entry.object[section.name] ?? []) as Loose[]) {
        for (const field of section.fields) if (field.type.kind === 'ref') refs.push(line[field.name]);
      }
    }
    for (const ref of refs) {
      const target = typeof ref === 'string' ? crm.byRef.get(ref) : undefined;
      if (target && defs.has(target.type)) queue.push(target);
    }
  }
  return expected;
}

function digest(lines: string[]): string {
  return createHash('sha256')
    .update([...lines].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

const SIDES = ['crm', 'bp'] as const;
const NAMES: Record<Side, string> = { crm: 'the CRM', bp: 'Accounting' };
/** The infobase prefixes: an object's createdIn says where it was made. */
const PREFIX: Record<Side, string> = { crm: 'CR', bp: 'BP' };
const other = (side: Side): Side => (side === 'crm' ? 'bp' : 'crm');

function fieldDiff(side: Side, mine: string, theirs: string): string {
  const a = JSON.parse(mine) as Record<string, unknown>;
  const b = JSON.parse(theirs) as Record<string, unknown>;
  return Object.keys({ ...a, ...b })
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map(
      (key) =>
        `${key}: ${NAMES[side]} ${JSON.stringify(a[key])} vs ${NAMES[other(side)]} ${JSON.stringify(b[key])}`,
    )
    .join('; ');
}

/**
 * After the faults are off and Synchronize is quiet: the same exchanged data on both sides, nothing twice,
 * every confirmed write in Accounting, the message counters in agreement, and a journal without sessions
 * left unexplained. Returns the problems found (none: converged).
 */
export async function checkConvergence(
  world: FaultWorld,
  writers: readonly DataWriter[],
  options: { since: string; until: string; preMapped: ReadonlySet<string> },
): Promise<ConvergenceReport> {
  const problems: string[] = [];
  const metadata = await world.api('bp', 'GET', '/metadata');
  const types = (metadata.data.types as TypeDef[]).map((def) => ({
    ...def,
    tabularSections: def.tabularSections ?? [],
  }));
  const [crm, bp] = [await snapshot(world, 'crm', types), await snapshot(world, 'bp', types)];

  for (const snap of [crm, bp]) {
    for (const def of types) {
      const seen = new Map<string, string>();
      for (const object of snap.objects.get(def.name) ?? []) {
        const key = identity(snap, def.name, object);
        const other = seen.get(key);
        if (other !== undefined)
          problems.push(
            `duplicate: ${snap.side} has ${def.name} ${key} twice (refs ${other}, ${object.ref})`,
          );
        seen.set(key, object.ref);
      }
    }
  }

  // Each side must have what the other's rules send; both copies alike.
  const snaps: Record<Side, Snapshot> = { crm, bp };
  const byKey: Record<Side, Map<string, Loose>> = { crm: new Map(), bp: new Map() };
  for (const side of SIDES) {
    for (const def of types) {
      for (const object of snaps[side].objects.get(def.name) ?? [])
        byKey[side].set(`${def.name}:${identity(snaps[side], def.name, object)}`, object);
    }
  }
  const sends: Record<Side, 'used' | 'all' | null> = {
    crm: world.options.catalogs,
    bp: world.options.accountingSends ? 'used' : null,
  };
  const expected: Record<Side, Map<string, { type: string; object: Loose }>> = {
    crm: sends.crm ? expectedAtPeer(crm, types, sends.crm) : new Map(),
    bp: sends.bp ? expectedAtPeer(bp, types, sends.bp) : new Map(),
  };
  const matched: Record<Side, Set<string>> = { crm: new Set(), bp: new Set() };
  const defs = new Map(types.map((def) => [def.name, def]));
  const pairs = new Map<string, { type: string; crm: string; bp: string }>();
  for (const from of SIDES) {
    const to = other(from);
    for (const { type, object } of expected[from].values()) {
      const def = defs.get(type)!;
      const key = identity(snaps[from], type, object);
      const counterpart = byKey[to].get(`${type}:${key}`);
      if (!counterpart) {
        problems.push(`lost: ${NAMES[from]}'s ${type} ${key} (${object.ref}) is not in ${NAMES[to]}`);
        continue;
      }
      matched[from].add(object.ref);
      matched[to].add(counterpart.ref);
      if (counterpart.ref !== object.ref && !options.preMapped.has(`${type}:${key}`))
        problems.push(
          `remapped: ${NAMES[to]} keeps ${NAMES[from]}'s ${type} ${key} under ref ${counterpart.ref}, not ${object.ref}`,
        );
      const mine = canonical(snaps[from], def, object);
      const theirs = canonical(snaps[to], def, counterpart);
      if (mine !== theirs) problems.push(`diverged: ${type} ${key}: ${fieldDiff(from, mine, theirs)}`);
      pairs.set(`${type}:${key}`, {
        type,
        crm: from === 'crm' ? mine : theirs,
        bp: from === 'bp' ? mine : theirs,
      });
    }
  }
  const digests: ConvergenceReport['digests'] = {};
  for (const type of new Set([...pairs.values()].map((pair) => pair.type))) {
    const ofType = [...pairs.values()].filter((pair) => pair.type === type);
    digests[type] = {
      crm: digest(ofType.map((pair) => pair.crm)),
      bp: digest(ofType.map((pair) => pair.bp)),
      objects: ofType.length,
    };
  }

  // Beyond that: an object one side made and its rules do not send (yet) stays there; anything that came
  // from the other side must still be there, and alike (sent earlier while it was used).
  for (const side of SIDES) {
    for (const def of types) {
      for (const object of snaps[side].objects.get(def.name) ?? []) {
        if (matched[side].has(object.ref)) continue;
        const key = identity(snaps[side], def.name, object);
        const source = byKey[other(side)].get(`${def.name}:${key}`);
        if (source) {
          const mine = canonical(snaps[side], def, object);
          const theirs = canonical(snaps[other(side)], def, source);
          if (mine !== theirs) problems.push(`stale: ${def.name} ${key}: ${fieldDiff(side, mine, theirs)}`);
        } else if (object.createdIn === PREFIX[other(side)]) {
          problems.push(
            `extra: ${NAMES[side]} has ${def.name} ${key} (${object.ref}) from ${NAMES[other(side)]}, which no longer has it`,
          );
        }
      }
    }
  }

  // Every write a side confirmed is there, on that side and, if its rules send it, on the other.
  for (const writer of writers) {
    const from = writer.side;
    const to = other(from);
    for (const write of writer.confirmed.values()) {
      const own = snaps[from].byRef.get(write.ref);
      if (!own) {
        problems.push(`${NAMES[from]} lost its own ${write.type} ${write.ref}`);
        continue;
      }
      const there = expected[from].has(write.ref)
        ? byKey[to].get(`${write.type}:${identity(snaps[from], write.type, own.object)}`)
        : undefined;
      for (const [field, value] of Object.entries(write.values)) {
        if (JSON.stringify(own.object[field]) !== JSON.stringify(value))
          problems.push(
            `write lost in ${NAMES[from]}: ${write.type} ${write.ref} ${field} is ${JSON.stringify(own.object[field])}, was written ${JSON.stringify(value)}`,
          );
        if (there && JSON.stringify(there[field]) !== JSON.stringify(value))
          problems.push(
            `write lost on the way: ${NAMES[to]}'s ${write.type} ${write.ref} ${field} is ${JSON.stringify(there[field])}, ${NAMES[from]} wrote ${JSON.stringify(value)}`,
          );
      }
    }
  }

  // Romashka, whose phone both sides changed: one of those phones (or none yet), the same on both sides.
  const contested = new Set(writers.flatMap((writer) => writer.contestedPhones));
  const romashkaPhones = SIDES.map(
    (side) =>
      (snaps[side].objects.get('counterparty') ?? []).find(
        (object) => object.inn === ROMASHKA.inn && object.kpp === ROMASHKA.kpp,
      )?.phone ?? null,
  );
  if (romashkaPhones[0] !== romashkaPhones[1])
    problems.push(
      `diverged: Romashka's phone is ${romashkaPhones[0]} in the CRM, ${romashkaPhones[1]} in Accounting`,
    );
  else if (romashkaPhones[0] !== null && !contested.has(romashkaPhones[0]))
    problems.push(`Romashka's phone ${romashkaPhones[0]} is none that either side wrote`);

  // The message counters, as `ibsync sync status --json` shows them on each side.
  const status = async (side: Side, setting: string) => {
    const result = await world.cli(side, ['sync', 'status', setting, '--json']);
    if (result.code !== 0) throw new Error(`sync status in ${side}: ${result.stderr}`);
    const { sentNo, receivedNo } = result.json();
    return { sentNo: Number(sentNo), receivedNo: Number(receivedNo) };
  };
  const counters = { crm: await status('crm', world.crmSetting), bp: await status('bp', world.bpSetting) };
  if (counters.crm.sentNo !== counters.bp.receivedNo || counters.crm.receivedNo !== counters.bp.sentNo)
    problems.push(
      `counters disagree: CRM sent ${counters.crm.sentNo}/received ${counters.crm.receivedNo}, Accounting sent ${counters.bp.sentNo}/received ${counters.bp.receivedNo}`,
    );

  // Nothing left behind once all is acknowledged: no change waiting, no message half received, nothing
  // held back (every object either side writes is valid on the other).
  const leftovers: [Side, string, string][] = [
    ['crm', 'changes not acknowledged', 'select count(*) from exchange_changes'],
    ['crm', 'incoming messages', "select count(*) from exchange_messages where direction = 'in'"],
    ['crm', 'objects held back', 'select count(*) from exchange_held_back'],
    ['bp', 'changes not acknowledged', 'select count(*) from exchange_changes'],
    ['bp', 'incoming messages', "select count(*) from exchange_messages where direction = 'in'"],
    ['bp', 'incoming message parts', "select count(*) from exchange_message_parts where direction = 'in'"],
    ['bp', 'objects held back', 'select count(*) from exchange_held_back'],
  ];
  for (const [side, what, query] of leftovers) {
    const count = await world.count(side, query);
    if (count > 0) problems.push(`left behind: ${side} has ${count} ${what}`);
  }

  // The journal explains every session: none left running, every failure with a cause.
  for (const side of ['crm', 'bp'] as const) {
    const journal = await world.api(side, 'GET', '/sync/journal?limit=500');
    for (const entry of journal.data as Loose[]) {
      if (entry.startedAt < options.since || entry.startedAt >= options.until) continue;
      if (entry.status === 'running')
        problems.push(
          `journal: ${side} entry ${entry.id} (${entry.operation}, started ${entry.startedAt}) is still "running"`,
        );
      if (entry.status === 'failed' && !(entry.error?.code && entry.error?.message))
        problems.push(`journal: ${side} entry ${entry.id} failed without a cause`);
      if (entry.status === 'failed' && entry.error?.code === 'internal_error')
        problems.push(
          `journal: ${side} entry ${entry.id} (${entry.operation}) failed with no named cause: ${entry.error.message}`,
        );
    }
  }
  return { problems, digests, counters };
}
