import { isDeepStrictEqual } from 'node:util';
import { formatVersionOf, type MessageHeader, messageHeaderSchema } from '../format/message-header.js';
import { AppError } from '../platform/errors.js';
import { columnName, type FieldDef, type ObjectTypeDef } from '../platform/metadata.js';
import { deferNumberNotes, writeNotedNumbers } from '../platform/numbering.js';
import { parseObjectInput } from '../platform/objects/object-input.js';
import type { NewObjectRows } from '../platform/objects/object-rows.js';
import type { RefExists, StoredObject } from '../platform/objects/object-store.js';
import type { Db } from '../platform/storage/index.js';
import { execute, type SqlTarget } from '../platform/storage/raw-sql.js';
import { forgetTransactionCache } from '../platform/storage/transaction-cache.js';
import {
  acknowledge,
  deferKnownMarks,
  markKnown,
  supersedeChange,
  tookOverOurChange,
  writeKnownMarks,
} from './change-log.js';
import {
  ConversionError,
  type FormatEntry,
  type IncomingDeletion,
  type IncomingLine,
  type IncomingObject,
  type IncomingRef,
  isIncomingRef,
} from './conversion.js';
import type { ExchangeContext } from './exchange-context.js';
import type { Progress } from './export.js';
import { createIdentifier, type Identifier, type Lookup } from './identification.js';
import { inputOf, resolveValues } from './incoming-input.js';
import { SessionRecord } from './journal.js';
import { readMessageLines } from './message-codec.js';
import {
  type BodyObject,
  type ConvertedObject,
  convertLine,
  entryOf,
  openMessage,
} from './message-reader.js';
import type { StoredMessage } from './message-store.js';
import { type ExchangeNode, peerReceives } from './nodes.js';
import { deferLinks, link, writeLinks } from './public-ids.js';

export type ImportOutcome = 'applied' | 'duplicate' | 'stored-for-mapping';
export type ImportResult = {
  outcome: ImportOutcome;
  messageNo: number;
  receivedNo: number;
  record: SessionRecord;
};

type Lines = AsyncGenerator<unknown>;

function reject(code: string, message: string): AppError {
  return new AppError(code, message, { status: 422 });
}

/** Reads and checks the header: a message for another node, from a stranger, or in an unknown version is refused whole. */
export async function readHeader(
  context: ExchangeContext,
  node: ExchangeNode,
  lines: Lines,
): Promise<MessageHeader> {
  const first = await lines.next();
  if (first.done)
    throw reject('bad_message', 'The message is malformed: its first line is not a message header');
  return checkHeader(context, node, first.value);
}

/** Checks a message's first line, its header. */
export async function checkHeader(
  context: ExchangeContext,
  node: ExchangeNode,
  line: unknown,
): Promise<MessageHeader> {
  const parsed = messageHeaderSchema.safeParse((line as { Header?: unknown } | undefined)?.Header);
  if (!parsed.success) {
    throw reject('bad_message', 'The message is malformed: its first line is not a message header');
  }
  const header = parsed.data;
  const ownCode = await context.ownCode();
  if (header.Confirmation.To !== ownCode) {
    throw reject(
      'wrong_recipient',
      `The message is addressed to node ${header.Confirmation.To}, not to this infobase (${ownCode})`,
    );
  }
  if (header.Confirmation.From !== node.peerCode) {
    throw reject(
      'wrong_sender',
      `The message claims to come from node ${header.Confirmation.From}, but this setting exchanges with ${node.peerCode}`,
    );
  }
  const version = formatVersionOf(header.Format);
  if (version !== context.rules.formatVersion) {
    throw reject(
      'unsupported_format_version',
      `The message is in EnterpriseData ${version}; this infobase reads ${context.rules.formatVersion}`,
    );
  }
  return header;
}

function peerRefOfEntry(entry: FormatEntry): string {
  const keys = entry.object.КлючевыеСвойства as { Ссылка?: unknown } | undefined;
  return typeof keys?.Ссылка === 'string'
    ? keys.Ссылка
    : `unknown:${JSON.stringify(entry.object).slice(0, 60)}`;
}

/** A body line read and converted, or the reason it could not be (message-reader.ts). */
type ParsedLine = BodyObject;

type Problem = { code: string; message: string };

/** Lines read, converted and looked up together before they are applied one by one. */
const CHUNK = 32;

/**
 * How an object's writes are guarded: inside the chunk's savepoint (a failure undoes the chunk, which is
 * then applied again object by object), or under a savepoint of its own (a failure holds it back).
 */
type Guard = 'chunk' | 'object';

/**
 * Applies the objects of an incoming message inside the caller's transaction. Each object is applied
 * under a savepoint: one that cannot be applied is held back with its reason and the rest go through.
 * Lines are taken a chunk at a time: converted first, what they will look up fetched together, then
 * applied one by one in order, exactly as line by line.
 */
export class MessageApplier {
  readonly record = new SessionRecord();
  /** Where the objects being applied count: the chunk's own record until the chunk is through. */
  private counting = this.record;
  private guard: Guard = 'object';
  private readonly identifier: Identifier;
  private readonly sql: SqlTarget;
  /** The chunk's objects that exist here, read together before it is applied (`readBefores`). */
  private readonly befores = new Map<string, StoredObject>();
  /** What the chunk's look-ups found to exist: the object store need not ask again for references. */
  private readonly exists: RefExists = (typeName, ref) =>
    this.identifier.existsKnown(this.context.typeDef(typeName), ref) === true;

  constructor(
    private readonly context: ExchangeContext,
    private readonly trx: Db,
    private readonly node: ExchangeNode,
    private readonly messageNo: number,
  ) {
    this.sql = context.infobase.sql;
    deferNumberNotes(trx);
    this.identifier = createIdentifier({
      trx,
      dialect: context.infobase.dialect,
      sql: this.sql,
      nodeId: node.id,
      typeDef: (type) => context.typeDef(type),
      // As the change log marks what a node sends us (createChangeLogHook).
      markedForPeer: (def) => {
        const formatType = context.exchanged.get(def.name)?.formatType;
        return formatType !== undefined && peerReceives(node, formatType);
      },
      // What the chunk created and linked is looked up as any other object.
      beforeRead: async () => {
        await context.infobase.objects.writeGathered(trx);
        await writeLinks(trx, this.sql, false);
      },
    });
  }

  /** Applies one body line, given as its text; returns false if it was held back. */
  async apply(text: string): Promise<boolean> {
    return this.applyParsed(this.parse(text));
  }

  /** Applies every object; returns how many there were. */
  async applyAll(objects: AsyncIterable<BodyObject>, progress?: (applied: number) => void): Promise<number> {
    let applied = 0;
    let chunk: ParsedLine[] = [];
    const flush = async () => {
      await this.applyChunk(chunk);
      const before = applied;
      applied += chunk.length;
      if (Math.floor(applied / 200) > Math.floor(before / 200)) progress?.(applied);
      chunk = [];
    };
    for await (const object of objects) {
      chunk.push(object);
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    return applied;
  }

  /**
   * A chunk's objects one after another under one savepoint, which is all a chunk of good objects costs.
   * If a write fails, the chunk is undone and applied again with a savepoint per object, so that the
   * failing one is held back with its reason and the others go through, exactly as one by one.
   */
  private async applyChunk(chunk: readonly ParsedLine[]) {
    if (chunk.length === 0) return;
    await this.prepareChunk(chunk);
    const chunkRecord = new SessionRecord();
    await execute(this.trx, this.sql, 'savepoint apply_chunk', []);
    try {
      this.guard = 'chunk';
      this.counting = chunkRecord;
      // Object by object, a failure undoes one object's writes but not the marks, links and rows kept for
      // the others: these are gathered only while the chunk goes as a whole.
      deferKnownMarks(this.trx);
      deferLinks(this.trx);
      this.context.infobase.objects.startGathering(this.trx);
      for (const parsed of chunk) await this.applyParsed(parsed);
      await this.context.infobase.objects.stopGathering(this.trx);
      await writeNotedNumbers(this.trx, this.sql);
      await writeKnownMarks(this.trx, this.sql);
      await writeLinks(this.trx, this.sql);
      await execute(this.trx, this.sql, 'release savepoint apply_chunk', []);
      this.record.merge(chunkRecord);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await execute(this.trx, this.sql, 'rollback to savepoint apply_chunk', []);
      await execute(this.trx, this.sql, 'release savepoint apply_chunk', []);
      this.forgetUndone();
      await this.prepareChunk(chunk);
      this.guard = 'object';
      this.counting = this.record;
      for (const parsed of chunk) await this.applyParsed(parsed);
      await writeNotedNumbers(this.trx, this.sql);
    } finally {
      this.guard = 'object';
      this.counting = this.record;
    }
  }

  /** What applying the chunk will ask, fetched together. */
  private async prepareChunk(chunk: readonly ParsedLine[]) {
    await this.identifier.prefetch(lookupsOf(chunk, this.context.typeDef));
    await this.lookUpCodes(chunk);
    await this.readBefores(chunk);
  }

  /**
   * The objects the chunk will change, where what it fetched already finds them here: read in a query per
   * type instead of one per object. One that turns out to be found otherwise is read on its own.
   */
  private async readBefores(chunk: readonly ParsedLine[]) {
    this.befores.clear();
    const byType = new Map<string, string[]>();
    for (const { incoming } of chunk) {
      if (incoming?.action !== 'put') continue;
      const def = this.context.typeDef(incoming.localType);
      const found = this.identifier.identifyKnown(def, incoming.peerRef, incoming.keys);
      if (!found || !('localRef' in found)) continue;
      const refs = byType.get(def.name) ?? [];
      refs.push(found.localRef);
      byType.set(def.name, refs);
    }
    for (const [type, refs] of byType) {
      const found = await this.context.infobase.objects.getManyToChange(type, refs, this.trx);
      for (const [ref, object] of found) this.befores.set(beforeKey(type, ref), object);
    }
  }

  /** The object as stored before this write: read with the chunk, or now. Each is used once. */
  private async before(def: ObjectTypeDef, localRef: string): Promise<StoredObject | undefined> {
    const key = beforeKey(def.name, localRef);
    const read = this.befores.get(key);
    if (!read) return this.context.infobase.objects.get(def.name, localRef, this.trx);
    this.befores.delete(key);
    return read;
  }

  /** The codes the chunk's catalog items come with, looked up together: most are free here. */
  private async lookUpCodes(chunk: readonly ParsedLine[]) {
    const byType = new Map<string, string[]>();
    for (const { incoming } of chunk) {
      if (incoming?.action !== 'put' || incoming.system.code === undefined) continue;
      const codes = byType.get(incoming.localType) ?? [];
      codes.push(incoming.system.code);
      byType.set(incoming.localType, codes);
    }
    for (const [type, codes] of byType)
      await this.context.infobase.objects.lookUpFreeCodes(this.trx, type, codes);
  }

  /** What the transaction and this import remember may stand for writes just undone. */
  private forgetUndone() {
    this.befores.clear();
    forgetTransactionCache(this.trx);
    this.identifier.forget();
    deferNumberNotes(this.trx);
  }

  /** Writes what the applier kept for the end: call once every line has been applied. */
  async finish(): Promise<void> {
    await writeNotedNumbers(this.trx, this.sql);
  }

  /** A line converted in full, from its text. */
  private parse(text: string): ParsedLine {
    const converted = convertLine(this.context.rules, JSON.parse(text));
    return converted.error
      ? { text, error: converted.error }
      : { text, incoming: converted.incoming, complete: true };
  }

  /** The line's entry as received, for keeping it held back; undefined if it is not one. */
  private entryOf(parsed: ParsedLine): FormatEntry | undefined {
    if (parsed.text === undefined) return undefined;
    try {
      return entryOf(JSON.parse(parsed.text));
    } catch (error) {
      if (error instanceof ConversionError) return undefined;
      throw error;
    }
  }

  private async applyParsed(parsed: ParsedLine): Promise<boolean> {
    if (parsed.error) {
      const entry = this.entryOf(parsed);
      const type = entry ? this.localTypeOf(entry.type) : '(unknown)';
      await this.holdBack(
        type,
        entry ? peerRefOfEntry(entry) : 'unreadable',
        entry ?? { type: '(unreadable)', object: {} },
        {
          code: 'unreadable_object',
          message: parsed.error.message,
        },
      );
      return false;
    }
    const { incoming } = parsed;
    const problem =
      incoming.action === 'delete' ? await this.delete(incoming) : await this.put(incoming, parsed);
    if (problem) {
      const entry = this.entryOf(parsed) ?? { type: incoming.localType, object: {} };
      await this.holdBack(incoming.localType, incoming.peerRef, entry, problem);
      return false;
    }
    return true;
  }

  private localTypeOf(formatType: string): string {
    return this.context.rules.types.find((type) => type.formatType === formatType)?.localType ?? formatType;
  }

  private async put(incoming: IncomingObject, parsed: ConvertedObject): Promise<Problem | undefined> {
    const def = this.context.typeDef(incoming.localType);
    const found =
      this.identifier.identifyKnown(def, incoming.peerRef, incoming.keys) ??
      (await this.identifier.identify(def, incoming.peerRef, incoming.keys));
    if (found.kind === 'ambiguous') {
      return {
        code: 'ambiguous_match',
        message: `matches ${found.candidates.length} objects here by ${found.fields.join('+')} (${found.candidates.join(', ')}); link it by hand to avoid a duplicate`,
      };
    }
    if (parsed.prepared) {
      if (found.kind === 'new' && !found.decided) {
        const stored = await this.putPrepared(def, incoming.peerRef, parsed.prepared);
        if (stored) return stored.problem;
      }
      // The rows made for a new document with its own references do not fit: it is read in full.
      incoming = this.fullyRead(parsed);
      parsed = { text: parsed.text, incoming, complete: true };
    }
    const localRef = 'localRef' in found ? found.localRef : incoming.peerRef;
    const unresolved: string[] = [];
    // References read only by their ref (message-reader.ts) are read again in full when that is not enough.
    const values =
      this.resolvedFromMemory(incoming) ??
      (await this.resolved(parsed.complete ? incoming : this.fullyRead(parsed), unresolved));
    if (unresolved.length > 0) {
      return {
        code: 'unresolved_reference',
        message: `refers to ${unresolved.join('; ')}, which neither the message nor this infobase has`,
      };
    }
    // An object found by nothing (and not created since) is known not to exist: no need to read it.
    const mayExist =
      found.kind !== 'new' ||
      found.decided ||
      (this.identifier.existsKnown(def, localRef) ?? (await this.identifier.exists(def, localRef)));
    const before = mayExist ? await this.before(def, localRef) : undefined;
    const input = inputOf(def, incoming, values, before === undefined);
    if (before && this.unchanged(def, before, input)) {
      await this.settle(def, incoming.peerRef, localRef);
      this.identifier.take(def, localRef, incoming.peerRef);
      this.counting.count(def.name, 'unchanged');
      if (found.kind === 'search' || found.kind === 'decision') this.counting.count(def.name, 'linked');
      return undefined;
    }
    const failure = await this.underSavepoint(() =>
      this.context.infobase.objects.put(
        def.name,
        localRef,
        input,
        { kind: 'exchange', nodeId: this.node.id },
        {
          trx: this.trx,
          before: { object: before },
          discardResult: true,
          exists: this.exists,
          ...(incoming.system.createdIn ? { createdIn: incoming.system.createdIn } : {}),
        },
      ),
    );
    if (failure) return failure;
    this.noteIfOursWasReplaced(def, localRef, 'changed');
    if (!before) this.identifier.created(def, localRef);
    await link(this.trx, this.sql, this.node.id, def.name, incoming.peerRef, localRef);
    this.identifier.linked(def, incoming.peerRef, localRef);
    this.identifier.take(def, localRef, incoming.peerRef);
    this.counting.count(def.name, before ? 'updated' : 'created');
    if (found.kind === 'search' || found.kind === 'decision') this.counting.count(def.name, 'linked');
    return undefined;
  }

  /**
   * A new document from the rows the reader thread made for it (message-reader.ts): stored as they are
   * where each reference stands for the object of the same ref, with the local ref put in where it does
   * not. Undefined when what the chunk fetched cannot tell: the caller applies it the common way.
   */
  private async putPrepared(
    def: ObjectTypeDef,
    ref: string,
    rows: NewObjectRows,
  ): Promise<{ problem: Problem | undefined } | undefined> {
    if (this.identifier.existsKnown(def, ref) !== false || !this.localizeReferences(def, rows))
      return undefined;
    const failure = await this.underSavepoint(() =>
      this.context.infobase.objects.createFromRows(
        def.name,
        rows,
        { kind: 'exchange', nodeId: this.node.id },
        { trx: this.trx, exists: this.exists },
      ),
    );
    if (failure) return { problem: failure };
    this.noteIfOursWasReplaced(def, ref, 'changed');
    this.identifier.created(def, ref);
    this.counting.count(def.name, 'created');
    return { problem: undefined };
  }

  /** Puts the local ref in every reference cell of the rows; false if one is not known from memory. */
  private localizeReferences(def: ObjectTypeDef, rows: NewObjectRows): boolean {
    const local = (field: FieldDef, row: Record<string, unknown>) => {
      if (field.type.kind !== 'ref') return true;
      const column = columnName(field.name);
      const peerRef = row[column];
      if (typeof peerRef !== 'string') return true;
      const found = this.identifier.resolveKnown({
        kind: 'ref',
        localType: field.type.to,
        peerRef,
        keys: {},
        values: {},
      });
      if (typeof found !== 'string') return false;
      if (found !== peerRef) row[column] = found;
      return true;
    };
    // Rows left half replaced are never stored: a document that falls back is read anew, in full.
    const cells: { field: FieldDef; row: Record<string, unknown> }[] = [];
    for (const field of def.fields) cells.push({ field, row: rows.header });
    for (const section of def.tabularSections ?? []) {
      for (const row of rows.lines[section.name] ?? [])
        for (const field of section.fields) cells.push({ field, row });
    }
    return cells.every(({ field, row }) => local(field, row));
  }

  /** Whether applying would change nothing: then nothing is written and nothing echoes back. */
  private unchanged(
    def: ObjectTypeDef,
    before: Record<string, unknown>,
    input: Record<string, unknown>,
  ): boolean {
    const parsed = parseObjectInput(def, 'update', input);
    if (!parsed.success) return false;
    const normalized = parsed.data;
    return Object.entries(normalized).every(([field, value]) => {
      const current = before[field];
      if (Array.isArray(value) && Array.isArray(current)) {
        return (
          value.length === current.length &&
          value.every((line, index) =>
            Object.entries(line as Record<string, unknown>).every(([name, cell]) =>
              isDeepStrictEqual(cell ?? null, (current[index] as Record<string, unknown>)[name] ?? null),
            ),
          )
        );
      }
      return isDeepStrictEqual(value ?? null, current ?? null);
    });
  }

  private async settle(def: ObjectTypeDef, peerRef: string, localRef: string) {
    await link(this.trx, this.sql, this.node.id, def.name, peerRef, localRef);
    this.identifier.linked(def, peerRef, localRef);
    await markKnown(this.trx, this.sql, this.node.id, def.name, localRef, 'peer');
    // Both sides hold the same now: a change of ours goes nowhere, or again if it is already on its way.
    await supersedeChange(this.trx, this.sql, this.node.id, def.name, localRef, 'put');
  }

  /** The peer's version replaced one changed here since the last exchange: said, not silent. */
  private noteIfOursWasReplaced(def: ObjectTypeDef, localRef: string, what: 'changed' | 'deleted') {
    if (!tookOverOurChange(this.trx, def.name, localRef)) return;
    this.counting.note({
      level: 'warning',
      type: def.name,
      ref: localRef,
      code: 'changed_on_both_sides',
      message: `was changed here and ${what} in "${this.node.peer.name}" since the last synchronization; the version of "${this.node.peer.name}" was kept`,
    });
  }

  private async delete(incoming: IncomingDeletion): Promise<{ code: string; message: string } | undefined> {
    const def = this.context.typeDef(incoming.localType);
    const found = await this.identifier.identify(def, incoming.peerRef, {});
    if (found.kind !== 'public-id' && found.kind !== 'ref' && found.kind !== 'decision') {
      this.counting.count(def.name, 'skipped');
      return undefined;
    }
    // Deleted or marked, it is no longer as it was read with the chunk.
    this.befores.delete(beforeKey(def.name, found.localRef));
    const origin = { kind: 'exchange', nodeId: this.node.id } as const;
    const failure = await this.underSavepoint(() =>
      this.context.infobase.objects.remove(def.name, found.localRef, origin, { trx: this.trx }),
    );
    if (failure?.code === 'still_referenced') {
      // Something here still uses it: keep it, marked for deletion, as a person would have to.
      await this.context.infobase.objects.setDeletionMark(def.name, found.localRef, true, origin, {
        trx: this.trx,
      });
      this.counting.note({
        level: 'warning',
        type: def.name,
        ref: found.localRef,
        code: 'kept_marked',
        message: `was deleted by the peer but ${failure.message}; it is marked for deletion instead`,
      });
      this.noteIfOursWasReplaced(def, found.localRef, 'deleted');
      this.counting.count(def.name, 'deleted');
      return undefined;
    }
    if (failure) return failure;
    this.noteIfOursWasReplaced(def, found.localRef, 'deleted');
    this.identifier.deleted(def, found.localRef);
    this.counting.count(def.name, 'deleted');
    return undefined;
  }

  /**
   * The values with every reference resolved from what the chunk fetched, without a promise per reference;
   * undefined if any reference needs more (a search, a classifier item to create, a reason to give).
   */
  private resolvedFromMemory(incoming: IncomingObject): Record<string, unknown> | undefined {
    return resolveValues(incoming, (value) =>
      isIncomingRef(value) ? (this.identifier.resolveKnown(value) ?? undefined) : value,
    );
  }

  private fullyRead(parsed: ParsedLine): IncomingObject {
    const again = parsed.text === undefined ? undefined : this.parse(parsed.text);
    if (again?.incoming?.action !== 'put')
      throw new Error('a line read in the reader thread cannot be read again here');
    return again.incoming;
  }

  private async resolved(incoming: IncomingObject, unresolved: string[]): Promise<Record<string, unknown>> {
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(incoming.values)) {
      if (!Array.isArray(value)) {
        values[field] = await this.resolveValue(value, unresolved, field);
        continue;
      }
      const lines: Record<string, unknown>[] = [];
      for (const line of value) lines.push(await this.resolveLine(line, unresolved));
      values[field] = lines;
    }
    return values;
  }

  private async resolveValue(value: unknown, unresolved: string[], field: string): Promise<unknown> {
    if (!isIncomingRef(value)) return value;
    const local = (await this.identifier.resolveRef(value)) ?? (await this.createClassifierItem(value));
    if (local === undefined) unresolved.push(describeRef(field, value));
    return local ?? null;
  }

  /**
   * A unit or currency named only by its code (OKEI, ISO) is the same thing everywhere: if it is missing
   * here, it is created from the reference, as 1C does with classifier items.
   */
  private async createClassifierItem(ref: IncomingRef): Promise<string | undefined> {
    const def = this.context.typeDef(ref.localType);
    const code = ref.values.code ?? ref.keys.code;
    if (def.code?.kind !== 'natural' || typeof code !== 'string' || !code) return undefined;
    const name = typeof ref.values.name === 'string' && ref.values.name ? ref.values.name : code;
    let created: string | undefined;
    const failure = await this.underSavepoint(async () => {
      const object = await this.context.infobase.objects.create(
        def.name,
        { ...(ref.peerRef ? { ref: ref.peerRef } : {}), code, name },
        { kind: 'exchange', nodeId: this.node.id },
        { trx: this.trx },
      );
      created = object.ref;
    });
    if (failure || !created) return undefined;
    this.identifier.created(def, created);
    this.counting.count(def.name, 'created');
    return created;
  }

  private async resolveLine(line: IncomingLine, unresolved: string[]): Promise<Record<string, unknown>> {
    const resolved: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(line))
      resolved[field] = await this.resolveValue(value, unresolved, field);
    return resolved;
  }

  /** Runs an object's writes as the guard says; a failure under its own savepoint is returned, not thrown. */
  private async underSavepoint(
    work: () => Promise<unknown>,
  ): Promise<{ code: string; message: string } | undefined> {
    if (this.guard === 'chunk') {
      await work();
      return undefined;
    }
    await execute(this.trx, this.sql, 'savepoint apply_object', []);
    try {
      await work();
      await execute(this.trx, this.sql, 'release savepoint apply_object', []);
      return undefined;
    } catch (error) {
      await execute(this.trx, this.sql, 'rollback to savepoint apply_object', []);
      await execute(this.trx, this.sql, 'release savepoint apply_object', []);
      this.forgetUndone();
      if (error instanceof AppError) return { code: error.code, message: error.message };
      throw error;
    }
  }

  private async holdBack(
    type: string,
    peerRef: string,
    entry: FormatEntry,
    problem: { code: string; message: string },
  ) {
    await this.trx
      .insertInto('exchange_held_back')
      .values({
        node_id: this.node.id,
        type,
        peer_ref: peerRef,
        entry: JSON.stringify({ [entry.type]: entry.object }),
        reason: `${problem.code}: ${problem.message}`,
        message_no: this.messageNo,
        held_at: new Date().toISOString(),
      })
      .onConflict((conflict) =>
        conflict.columns(['node_id', 'type', 'peer_ref']).doUpdateSet({
          entry: JSON.stringify({ [entry.type]: entry.object }),
          reason: `${problem.code}: ${problem.message}`,
          message_no: this.messageNo,
        }),
      )
      .execute();
    this.counting.count(type, 'heldBack');
    this.counting.note({
      level: 'error',
      type,
      ref: peerRef,
      code: problem.code,
      message: `${type} ${peerRef} held back: ${problem.message}`,
    });
  }

  /** Objects held back earlier get another chance: what they lacked may have arrived since. */
  async retryHeldBack(): Promise<void> {
    const rows = await this.trx
      .selectFrom('exchange_held_back')
      .selectAll()
      .where('node_id', '=', this.node.id)
      .where('message_no', '<', this.messageNo)
      .execute();
    for (const row of rows) {
      await this.trx
        .deleteFrom('exchange_held_back')
        .where('node_id', '=', this.node.id)
        .where('type', '=', row.type)
        .where('peer_ref', '=', row.peer_ref)
        .execute();
      await this.apply(String(row.entry));
    }
  }
}

const beforeKey = (type: string, ref: string) => `${type}\u0000${ref}`;

/** What a chunk of lines will look up: each object's own ref and keys, and every reference it holds. */
function lookupsOf(chunk: readonly ParsedLine[], typeDef: (localType: string) => ObjectTypeDef): Lookup[] {
  const lookups: Lookup[] = [];
  const add = (value: unknown) => {
    if (isIncomingRef(value)) lookups.push(value);
  };
  const addCells = (fields: readonly FieldDef[], row: Record<string, unknown>) => {
    for (const field of fields) {
      const peerRef = row[columnName(field.name)];
      if (field.type.kind === 'ref' && typeof peerRef === 'string')
        lookups.push({ localType: field.type.to, peerRef, keys: {} });
    }
  };
  for (const parsed of chunk) {
    const { incoming } = parsed;
    if (!incoming) continue;
    if (incoming.action === 'delete') {
      lookups.push({ localType: incoming.localType, peerRef: incoming.peerRef, keys: {} });
      continue;
    }
    lookups.push(incoming);
    if (parsed.prepared) {
      // Its references are in its rows, each by the peer's ref.
      const def = typeDef(incoming.localType);
      addCells(def.fields, parsed.prepared.header);
      for (const section of def.tabularSections ?? [])
        for (const row of parsed.prepared.lines[section.name] ?? []) addCells(section.fields, row);
      continue;
    }
    for (const value of Object.values(incoming.values)) {
      if (Array.isArray(value)) for (const line of value) for (const cell of Object.values(line)) add(cell);
      else add(value);
    }
  }
  return lookups;
}

function describeRef(field: string, ref: IncomingRef): string {
  const keys = Object.entries(ref.keys)
    .filter(([, value]) => typeof value === 'string' && value)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return `${field}: ${ref.localType} ${ref.peerRef ?? ''}${keys ? ` (${keys})` : ''}`.trim();
}

/** Refusals of a whole message: it is dropped, and the sender sends its changes again. */
const DROPS_THE_MESSAGE = new Set([
  'bad_message',
  'wrong_recipient',
  'wrong_sender',
  'unsupported_format_version',
]);

/**
 * Imports a complete incoming message: checks its header, skips it if already applied (reading its
 * acknowledgement still), and otherwise applies its body and saves receivedNo in one transaction. The
 * message is read once, in that transaction; only one kept for mapping is read here for its header.
 */
export async function importMessage(
  context: ExchangeContext,
  nodeId: string,
  messageNo: number,
  options: { progress?: Progress; storeForMapping?: boolean } = {},
): Promise<ImportResult> {
  const { nodes, messages, infobase } = context;
  const node = await nodes.require(nodeId);
  const message = await messages.verifyIncoming(node.id, messageNo);
  try {
    return options.storeForMapping
      ? await keepForMapping(context, node, message)
      : await applyStoredMessage(context, node, messageNo, options.progress);
  } catch (error) {
    if (error instanceof AppError && DROPS_THE_MESSAGE.has(error.code)) {
      await infobase.db.transaction().execute((trx) => messages.deleteMessage(trx, node.id, 'in', messageNo));
    }
    throw error;
  }
}

/** The initial message during setup: kept, unapplied, for the mapping (S20), once its header is checked. */
async function keepForMapping(
  context: ExchangeContext,
  node: ExchangeNode,
  message: StoredMessage,
): Promise<ImportResult> {
  const { messages, infobase } = context;
  const headerLines = readMessageLines(messages.parts(node.id, 'in', message.messageNo));
  let header: MessageHeader;
  try {
    header = await readHeader(context, node, headerLines);
  } finally {
    await headerLines.return(undefined);
  }
  return infobase.db.transaction().execute(async (trx) => {
    if (header.Confirmation.MessageNo <= node.receivedNo)
      return dropRepeated(context, trx, node, message, header);
    await acknowledge(trx, node.id, header.Confirmation.ReceivedNo);
    await messages.setStatus(node.id, 'in', message.messageNo, 'awaiting-mapping', trx);
    const record = new SessionRecord();
    record.bytesReceived = message.size;
    return {
      outcome: 'stored-for-mapping',
      messageNo: message.messageNo,
      receivedNo: node.receivedNo,
      record,
    };
  });
}

/** A message applied before (its acknowledgement got lost): only what it acknowledges counts, and it goes. */
async function dropRepeated(
  context: ExchangeContext,
  trx: Db,
  node: ExchangeNode,
  message: StoredMessage,
  header: MessageHeader,
): Promise<ImportResult> {
  await acknowledge(trx, node.id, header.Confirmation.ReceivedNo);
  await context.messages.deleteMessage(trx, node.id, 'in', message.messageNo);
  const record = new SessionRecord();
  record.bytesReceived = message.size;
  return { outcome: 'duplicate', messageNo: message.messageNo, receivedNo: node.receivedNo, record };
}

/** Thrown to roll a dry run back once it has counted what it would do. */
class DryRunDone extends Error {
  constructor(readonly record: SessionRecord) {
    super('dry run');
  }
}

async function applyInTransaction(
  context: ExchangeContext,
  trx: Db,
  nodeId: string,
  messageNo: number,
  progress: Progress | undefined,
): Promise<ImportResult> {
  const { nodes, messages } = context;
  const message = await messages.get(nodeId, 'in', messageNo, trx);
  if (!message)
    throw new AppError('unknown_message', `Message ${messageNo} is not stored here`, { status: 404 });
  const node = await nodes.require(nodeId, trx);
  const opened = await openMessage(messages.parts(node.id, 'in', messageNo, trx), message.size, {
    rules: context.rules,
    application: context.infobase.app.name,
    worker: context.readerThread,
    workerFrom: context.readerThreadFrom,
    purpose: 'import',
    dialect: context.infobase.dialect.name,
  });
  let header: MessageHeader;
  try {
    header = await checkHeader(context, node, opened.header);
  } catch (error) {
    await opened.body.return(undefined);
    throw error;
  }
  if (header.Confirmation.MessageNo <= node.receivedNo) {
    await opened.body.return(undefined);
    return dropRepeated(context, trx, node, message, header);
  }
  const applier = new MessageApplier(context, trx, node, header.Confirmation.MessageNo);
  const applied = await applier.applyAll(opened.body, (done) => progress?.(done, message.objectCount));
  progress?.(applied, message.objectCount);
  await applier.retryHeldBack();
  await applier.finish();
  await nodes.update(node.id, { receivedNo: header.Confirmation.MessageNo }, trx);
  await acknowledge(trx, node.id, header.Confirmation.ReceivedNo);
  await messages.deleteMessage(trx, node.id, 'in', messageNo);
  const record = applier.record;
  record.receivedMessageNo = header.Confirmation.MessageNo;
  record.bytesReceived = message.size;
  return { outcome: 'applied', messageNo, receivedNo: header.Confirmation.MessageNo, record };
}

/** Applies a stored incoming message, all or nothing. */
export async function applyStoredMessage(
  context: ExchangeContext,
  node: ExchangeNode,
  messageNo: number,
  progress?: Progress,
): Promise<ImportResult> {
  return context.infobase.db
    .transaction()
    .execute((trx) => applyInTransaction(context, trx, node.id, messageNo, progress));
}

/**
 * Applies the stored messages in order in one transaction, all or nothing (the initial data kept for
 * mapping). A dry run does exactly the same and then rolls everything back, so its counts are what the
 * load would do.
 */
export async function applyStoredMessages(
  context: ExchangeContext,
  nodeId: string,
  messageNos: readonly number[],
  options: { progress?: Progress | undefined; dryRun?: boolean } = {},
): Promise<SessionRecord> {
  const stored = await Promise.all(
    messageNos.map((messageNo) => context.messages.get(nodeId, 'in', messageNo)),
  );
  const incoming = stored.reduce((sum, message) => sum + (message?.objectCount ?? 0), 0);
  try {
    return await context.infobase.db.transaction().execute(async (trx) => {
      const record = new SessionRecord();
      await context.infobase.objects.loadingMany(trx, incoming, async () => {
        for (const messageNo of messageNos) {
          record.merge((await applyInTransaction(context, trx, nodeId, messageNo, options.progress)).record);
        }
      });
      if (options.dryRun) throw new DryRunDone(record);
      return record;
    });
  } catch (error) {
    if (error instanceof DryRunDone) return error.record;
    throw error;
  }
}
