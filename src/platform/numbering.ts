import { sql } from 'kysely';
import type { ObjectTypeDef } from './metadata.js';
import { tableName } from './metadata.js';
import type { Db, TableSpec } from './storage/index.js';
import { integer, text } from './storage/index.js';
import { execute, type SqlTarget } from './storage/raw-sql.js';
import { transactionCache } from './storage/transaction-cache.js';

/**
 * Document numbers are `<infobase prefix><organization prefix>-NNNNNN`, unique per type and year;
 * catalog codes are `<infobase prefix>-NNNNN`. The part before the dash is the *scope*: each scope has
 * its own counter per type (and per year for documents), so a number received from another infobase
 * never disturbs this infobase's own sequence, and a new prefix can start at 1 or continue.
 */
export const DOCUMENT_SEQUENCE_DIGITS = 6;
export const CATALOG_SEQUENCE_DIGITS = 5;
const CATALOG_YEAR = 0;

export const numberCountersTable: TableSpec = {
  name: 'number_counters',
  columns: [
    { name: 'type', type: text, notNull: true },
    { name: 'scope', type: text, notNull: true },
    { name: 'year', type: integer, notNull: true },
    { name: 'last_value', type: integer, notNull: true },
  ],
  primaryKey: ['type', 'scope', 'year'],
};

export type ParsedNumber = { scope: string; sequence: number };

export function documentScope(infobasePrefix: string, organizationPrefix: string): string {
  return `${(infobasePrefix || '00').padEnd(2, '0')}${(organizationPrefix || '00').padEnd(2, '0')}`;
}

export function catalogScope(infobasePrefix: string): string {
  return (infobasePrefix || '00').padEnd(2, '0');
}

export function formatNumber(kind: 'catalog' | 'document', scope: string, sequence: number): string {
  const digits = kind === 'document' ? DOCUMENT_SEQUENCE_DIGITS : CATALOG_SEQUENCE_DIGITS;
  return `${scope}-${String(sequence).padStart(digits, '0')}`;
}

/** Reads the scope and sequence of a number in our own format; any other number is kept as it is. */
export function parseNumber(kind: 'catalog' | 'document', number: string): ParsedNumber | undefined {
  const pattern = kind === 'document' ? /^(.{4})-(\d{6})$/u : /^(.{2})-(\d{5})$/u;
  const parts = pattern.exec(number);
  if (!parts?.[1] || !parts[2]) return undefined;
  return { scope: parts[1], sequence: Number(parts[2]) };
}

function yearKey(kind: 'catalog' | 'document', year: number | undefined): number {
  return kind === 'catalog' ? CATALOG_YEAR : (year ?? CATALOG_YEAR);
}

/**
 * The highest sequence this transaction has noted or taken per counter: noting a lower one changes
 * nothing, so a transaction that writes many numbered objects does not ask again for each.
 */
function noted(trx: Db): Map<string, number> {
  return trx.isTransaction ? transactionCache(trx, 'numbering.noted', () => new Map()) : new Map();
}

const counterKey = (type: string, scope: string, year: number) => `${type}\u0000${scope}\u0000${year}`;

/** Takes the next sequence of a scope; the counter row's lock makes concurrent writers take turns. */
async function takeNext(trx: Db, type: string, scope: string, year: number): Promise<number> {
  const row = await trx
    .insertInto('number_counters')
    .values({ type, scope, year, last_value: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['type', 'scope', 'year'])
        .doUpdateSet({ last_value: sql`number_counters.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  const value = Number(row.last_value);
  noted(trx).set(counterKey(type, scope, year), value);
  return value;
}

type Note = { type: string; scope: string; year: number; sequence: number };

/** What a bulk writer noted and has not written yet (`deferNumberNotes`), per counter. */
function deferredNotes(trx: Db): { on: boolean; pending: Map<string, Note> } {
  return transactionCache(trx, 'numbering.deferred', () => ({ on: false, pending: new Map() }));
}

/**
 * A writer of many numbered objects in one transaction (an import) notes their numbers in memory and
 * writes the highest of each counter once (`writeNotedNumbers`), instead of once per object: received
 * documents come in order, so nearly every one raises its counter.
 */
export function deferNumberNotes(trx: Db): void {
  if (trx.isTransaction) deferredNotes(trx).on = true;
}

export async function writeNotedNumbers(trx: Db, target: SqlTarget): Promise<void> {
  if (!trx.isTransaction) return;
  const { pending } = deferredNotes(trx);
  for (const note of pending.values()) await writeNote(trx, target, note);
  pending.clear();
}

function writeNote(trx: Db, target: SqlTarget, note: Note) {
  return execute(
    trx,
    target,
    `insert into number_counters (type, scope, year, last_value) values (?, ?, ?, ?)
     on conflict (type, scope, year) do update set last_value = case
       when number_counters.last_value < excluded.last_value then excluded.last_value
       else number_counters.last_value end`,
    [note.type, note.scope, note.year, note.sequence],
  );
}

/**
 * Records that a sequence is in use, so that automatic numbering continues after it. Returns a promise
 * only when there is something to write now: a lower sequence than noted, or a deferred note, needs none.
 */
export function noteSequence(
  trx: Db,
  target: SqlTarget,
  type: string,
  scope: string,
  year: number,
  sequence: number,
): Promise<unknown> | undefined {
  const key = counterKey(type, scope, year);
  const highest = noted(trx);
  if ((highest.get(key) ?? 0) >= sequence) return undefined;
  highest.set(key, sequence);
  const note = { type, scope, year, sequence };
  if (trx.isTransaction && deferredNotes(trx).on) {
    deferredNotes(trx).pending.set(key, note);
    return undefined;
  }
  return writeNote(trx, target, note);
}

/** The next free number of a scope; numbers already taken (set by hand, received) are skipped. */
export async function nextFreeNumber(
  trx: Db,
  def: ObjectTypeDef,
  scope: string,
  year: number | undefined,
): Promise<{ number: string; sequence: number }> {
  const column = def.kind === 'document' ? 'number' : 'code';
  for (;;) {
    const sequence = await takeNext(trx, def.name, scope, yearKey(def.kind, year));
    const number = formatNumber(def.kind, scope, sequence);
    let taken = trx.selectFrom(tableName(def)).select('ref').where(column, '=', number);
    if (def.kind === 'document') taken = taken.where('number_year', '=', year ?? 0);
    if (!(await taken.executeTakeFirst())) return { number, sequence };
  }
}

export function noteNumber(
  trx: Db,
  target: SqlTarget,
  def: ObjectTypeDef,
  number: string,
  year: number | undefined,
): Promise<unknown> | undefined {
  const parsed = parseNumber(def.kind, number);
  if (!parsed) return undefined;
  return noteSequence(trx, target, def.name, parsed.scope, yearKey(def.kind, year), parsed.sequence);
}

export type NumberingPlan = { type: string; year: number; scope: string; restart: string; continue: string };

type HighestInUse = { year: number; organizationPrefix: string; highest: number };

function scopeFor(def: ObjectTypeDef, infobasePrefix: string, organizationPrefix: string): string {
  return def.kind === 'document'
    ? documentScope(infobasePrefix, organizationPrefix)
    : catalogScope(infobasePrefix);
}

function isAutoNumbered(def: ObjectTypeDef): boolean {
  return def.kind === 'document' || def.code?.kind !== 'natural';
}

/**
 * For a new infobase prefix, what the next automatic number of every numbered type would be this
 * year when numbering restarts and when it continues after the highest number in use (seed S11).
 */
export async function planNumbering(
  trx: Db,
  types: readonly ObjectTypeDef[],
  newPrefix: string,
  year: number,
): Promise<NumberingPlan[]> {
  const plans: NumberingPlan[] = [];
  for (const def of types.filter(isAutoNumbered)) {
    const key = yearKey(def.kind, year);
    const inUse = (await highestInUse(trx, def)).filter((row) => row.year === key);
    if (inUse.length === 0) inUse.push({ year: key, organizationPrefix: '00', highest: 0 });
    for (const row of inUse) {
      const scope = scopeFor(def, newPrefix, row.organizationPrefix);
      const counter = await trx
        .selectFrom('number_counters')
        .select('last_value')
        .where('type', '=', def.name)
        .where('scope', '=', scope)
        .where('year', '=', key)
        .executeTakeFirst();
      const last = Number(counter?.last_value ?? 0);
      plans.push({
        type: def.name,
        year: key,
        scope,
        restart: formatNumber(def.kind, scope, last + 1),
        continue: formatNumber(def.kind, scope, Math.max(last, row.highest) + 1),
      });
    }
  }
  return plans;
}

/** Makes every scope of the new prefix continue after the highest sequence in use under any prefix. */
export async function continueNumbering(
  trx: Db,
  target: SqlTarget,
  types: readonly ObjectTypeDef[],
  newPrefix: string,
) {
  for (const def of types.filter(isAutoNumbered)) {
    for (const row of await highestInUse(trx, def)) {
      await noteSequence(
        trx,
        target,
        def.name,
        scopeFor(def, newPrefix, row.organizationPrefix),
        row.year,
        row.highest,
      );
    }
  }
}

/** The highest sequence in our number format, per year and organization prefix (catalogs: one row). */
async function highestInUse(trx: Db, def: ObjectTypeDef): Promise<HighestInUse[]> {
  if (def.kind === 'document') {
    const organizationPrefix = sql<string>`substr(number_scope, 3, 2)`;
    const rows = await trx
      .selectFrom(tableName(def))
      .select([
        'number_year',
        organizationPrefix.as('organization_prefix'),
        sql<number>`max(number_seq)`.as('highest'),
      ])
      .where('number_seq', 'is not', null)
      .groupBy(['number_year', organizationPrefix])
      .execute();
    return rows.map((row) => ({
      year: Number(row.number_year),
      organizationPrefix: String(row.organization_prefix),
      highest: Number(row.highest),
    }));
  }
  const row = await trx
    .selectFrom(tableName(def))
    .select(sql<number | null>`max(code_seq)`.as('highest'))
    .executeTakeFirst();
  const highest = row?.highest;
  return highest === null || highest === undefined
    ? []
    : [{ year: CATALOG_YEAR, organizationPrefix: '', highest: Number(highest) }];
}
