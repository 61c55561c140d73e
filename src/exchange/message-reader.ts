import { Worker } from 'node:worker_threads';
import { messageTrailerSchema } from '../format/message-header.js';
import { AppError } from '../platform/errors.js';
import type { NewObjectRows } from '../platform/objects/object-rows.js';
import type { DialectName } from '../platform/storage/index.js';
import {
  ConversionError,
  type ConversionRules,
  type FormatEntry,
  type IncomingDeletion,
  type IncomingLine,
  type IncomingObject,
  type IncomingValue,
} from './conversion.js';
import { readMessageTexts } from './message-codec.js';

/**
 * Reads an incoming message into converted objects, for an import or a mapping analysis. Decompressing,
 * decoding, parsing and converting are most of what an import costs, and need nothing but the message and
 * the conversion rules: a large message is read in a worker thread, beside the thread that looks objects
 * up and writes them. What comes back from there is cut down to what that thread uses for nearly every
 * object: each reference only by its ref (`complete: false`); an importer that needs more of one (a
 * search by its key properties, a classifier item to create) converts the line again, in full.
 */
export type BodyObject =
  | ConvertedObject
  | { text: string | undefined; incoming?: undefined; error: ConversionError };

export type ConvertedObject = {
  /** The line as it came, when asked for: what is held back is kept as received. */
  text: string | undefined;
  incoming: IncomingObject | IncomingDeletion;
  /** False when the references carry their ref only (read in the worker). */
  complete: boolean;
  /**
   * A document's rows as they would be stored if it is new here and each reference stands for the
   * object of the same ref (made in the worker: `receivedDocumentRows`); `incoming` is then only its
   * type and ref.
   */
  prepared?: NewObjectRows;
  error?: undefined;
};

export type OpenedMessage = {
  /** The first line, the header, as it came: the caller checks it. */
  header: unknown;
  /** The objects, in order; fails at the end if the trailer is missing or disagrees. */
  body: AsyncGenerator<BodyObject>;
};

/**
 * An import reads every object in full and keeps each line's text (what is held back is kept as it came);
 * an analysis reads of each object only what identifies it (`keysOnly`) and needs no text.
 */
export type ReadPurpose = 'import' | 'analysis';

export type ReaderOptions = {
  rules: ConversionRules;
  /** The application whose rules these are: the worker thread builds its own from the name. */
  application: string;
  /** The worker thread's entry (the server's), or none: then every message is read in place. */
  worker?: URL | undefined;
  purpose: ReadPurpose;
  /** Where the objects are stored: the worker makes rows as that database keeps them. */
  dialect: DialectName;
  /** A message this large (bytes, compressed) or larger goes to the worker. */
  workerFrom?: number | undefined;
};

/**
 * Below this an import reads its message in place: the thread costs tens of megabytes of memory and its
 * start, which a smaller message does not repay (docs/BENCHMARKS.md). An analysis always reads in place:
 * it converts a small part of each object, and the thread would save it little.
 */
export const WORKER_FROM_BYTES = 8 * 1024 * 1024;

export async function openMessage(
  parts: AsyncIterable<Buffer>,
  size: number,
  options: ReaderOptions,
): Promise<OpenedMessage> {
  const lines =
    options.worker && options.purpose === 'import' && size >= (options.workerFrom ?? WORKER_FROM_BYTES)
      ? readInWorker(parts, options.worker, options)
      : readLines(parts, options.rules, options.purpose);
  const first = await lines.next();
  if (first.done || first.value.kind !== 'value') {
    await lines.return(undefined);
    throw malformed('its first line is not a message header');
  }
  return { header: first.value.value, body: bodyOf(lines) };
}

/** Converts one body line; what cannot be read is an error, never a throw. */
export function convertLine(
  rules: ConversionRules,
  line: unknown,
  purpose: ReadPurpose = 'import',
): { incoming: IncomingObject | IncomingDeletion; error?: undefined } | { error: ConversionError } {
  try {
    return { incoming: rules.fromFormat(entryOf(line), { keysOnly: purpose === 'analysis' }) };
  } catch (error) {
    if (error instanceof ConversionError) return { error };
    throw error;
  }
}

export function entryOf(line: unknown): FormatEntry {
  if (typeof line !== 'object' || line === null || Array.isArray(line))
    throw new ConversionError('(line)', 'is not an object');
  const keys = Object.keys(line);
  if (keys.length !== 1)
    throw new ConversionError('(line)', `must hold exactly one object, holds ${keys.length} keys`);
  const type = keys[0]!;
  const object = (line as Record<string, unknown>)[type];
  if (typeof object !== 'object' || object === null || Array.isArray(object))
    throw new ConversionError(type, 'is not an object');
  return { type, object: object as Record<string, unknown> };
}

/** A header or trailer line, or a body object. */
export type ReadLine = { kind: 'value'; value: unknown } | ({ kind: 'object' } & BodyObject);

function malformed(what: string): AppError {
  return new AppError('bad_message', `The message is malformed: ${what}`, { status: 422 });
}

/**
 * The lines of a message, converted: the first as it came (the header), then each object, and the trailer
 * as it came. A line that is not JSON fails the whole message (`bad_message`), as a corrupt stream does.
 */
export async function* readLines(
  parts: AsyncIterable<Buffer>,
  rules: ConversionRules,
  purpose: ReadPurpose,
): AsyncGenerator<ReadLine> {
  let lineNo = 0;
  let header = true;
  for await (const text of readMessageTexts(parts)) {
    lineNo += 1;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(purpose === 'analysis' && !header ? (identifyingPart(text) ?? text) : text);
    } catch {
      throw malformed(`line ${lineNo} is not JSON`);
    }
    if (header || isTrailer(value)) {
      header = false;
      yield { kind: 'value', value };
      continue;
    }
    const converted = convertLine(rules, value, purpose);
    const kept = purpose === 'import' ? text : undefined;
    if (converted.error) yield { kind: 'object', text: kept, error: converted.error };
    else
      yield {
        kind: 'object',
        text: kept,
        incoming: converted.incoming,
        complete: true,
      };
  }
}

const INFO_MEMBER = '"AdditionalInfo":';
const KEYS_MEMBER = ',"КлючевыеСвойства":';

/**
 * Of an object's line as this side writes it (`{"Type":{"AdditionalInfo":…,"КлючевыеСвойства":…,…}}`),
 * the part up to its key properties, closed: all that an analysis reads of it (`keysOnly`). A document's
 * lines and properties, most of a message, are then not parsed at all, nor made into objects. Any other
 * layout (another writer's order, whitespace, a deletion, the trailer) gives undefined, and the line is
 * parsed whole. What the part leaves out is read, and checked, by the load.
 */
export function identifyingPart(text: string): string | undefined {
  if (!text.startsWith('{"')) return undefined;
  const typeEnd = stringEnd(text, 1);
  if (typeEnd < 0 || !text.startsWith(`:{${INFO_MEMBER}`, typeEnd)) return undefined;
  const infoEnd = valueEnd(text, typeEnd + 2 + INFO_MEMBER.length);
  if (infoEnd < 0 || !text.startsWith(KEYS_MEMBER, infoEnd)) return undefined;
  const keysEnd = valueEnd(text, infoEnd + KEYS_MEMBER.length);
  return keysEnd < 0 ? undefined : `${text.slice(0, keysEnd)}}}`;
}

/** Just past the JSON string whose opening quote is at `at`; -1 if it does not end. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) i += 1;
    else if (code === 0x22) return i + 1;
  }
  return -1;
}

/**
 * Just past the JSON value that starts at `at` (written without whitespace): after its closing bracket,
 * or at the comma or bracket that ends a scalar; -1 if it does not end.
 */
function valueEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      const end = stringEnd(text, i);
      if (end < 0 || depth === 0) return end;
      i = end - 1;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
    } else if (code === 0x7d || code === 0x5d) {
      if (depth === 0) return i;
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if (code === 0x2c && depth === 0) {
      return i;
    }
  }
  return -1;
}

function isTrailer(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { Trailer?: unknown }).Trailer !== undefined
  );
}

/** The objects after the header; at the trailer, checks that it came and counts what came before it. */
async function* bodyOf(lines: AsyncGenerator<ReadLine>): AsyncGenerator<BodyObject> {
  let count = 0;
  try {
    for await (const line of lines) {
      if (line.kind === 'object') {
        count += 1;
        // As it is: a copy without its kind would cost an object per line, and no reader looks at the kind.
        yield line;
        continue;
      }
      const parsed = messageTrailerSchema.safeParse((line.value as { Trailer?: unknown }).Trailer);
      if (!parsed.success) throw malformed('its trailer is not readable');
      if (parsed.data.ObjectCount !== count) {
        throw malformed(`it announces ${parsed.data.ObjectCount} objects but carries ${count}`);
      }
      return;
    }
    throw new AppError('bad_message', 'The message was cut short: it ends without its trailer', {
      status: 422,
    });
  } finally {
    await lines.return(undefined);
  }
}

const EMPTY_KEYS = Object.freeze({});

/** An object known by its type and ref only: what stands beside rows made in the worker. */
function refOnlyObject(localType: string, peerRef: string): IncomingObject {
  return { action: 'put', localType, peerRef, keys: EMPTY_KEYS, values: {}, system: {} };
}

/** Each reference cut down to its ref: the object crosses to another thread at a fraction of the cost. */
export function withRefsOnly(incoming: IncomingObject | IncomingDeletion): IncomingObject | IncomingDeletion {
  if (incoming.action === 'delete') return incoming;
  const values: IncomingObject['values'] = {};
  for (const field in incoming.values) {
    const value = incoming.values[field]!;
    if (!Array.isArray(value)) {
      values[field] = refOnly(value);
      continue;
    }
    values[field] = value.map((line) => {
      const cut: IncomingLine = {};
      for (const name in line) cut[name] = refOnly(line[name]!);
      return cut;
    });
  }
  return {
    action: incoming.action,
    localType: incoming.localType,
    peerRef: incoming.peerRef,
    keys: incoming.keys,
    values,
    system: incoming.system,
  };
}

function refOnly(value: IncomingValue): IncomingValue {
  if (typeof value !== 'object' || value === null) return value;
  return {
    kind: 'ref',
    localType: value.localType,
    peerRef: value.peerRef,
    keys: EMPTY_KEYS,
    values: EMPTY_KEYS,
  };
}

/*
 * The protocol with the reader thread. The thread asks for the parts one at a time, so that however
 * large the message only a part or two is in memory there; it sends the lines in batches, and sends a
 * batch only while it holds credit, which the reading side gives back batch by batch: the thread never
 * runs more than a few batches ahead of what is applied.
 */
export type ToReader =
  | { type: 'start'; application: string; dialect: DialectName }
  | { type: 'part'; data: ArrayBuffer | null }
  | { type: 'credit' };

export type FromReader =
  | { type: 'need-part' }
  | { type: 'lines'; lines: WireLine[] }
  | { type: 'done' }
  | { type: 'failed'; code: string; message: string; status: number };

/** A line as it crosses threads: a ConversionError travels as its path and reason. */
export type WireLine =
  | { kind: 'value'; value: unknown }
  | { kind: 'object'; text: string | undefined; incoming: IncomingObject | IncomingDeletion }
  | { kind: 'prepared'; text: string | undefined; localType: string; peerRef: string; rows: NewObjectRows }
  | { kind: 'unreadable'; text: string | undefined; path: string; reason: string };

export const READER_BATCH = 128;
export const READER_CREDIT = 4;

/**
 * The thread's heap is kept small: it holds a part and a few batches at a time, and V8's default young
 * generation alone would add tens of megabytes to the host's resident memory (DESIGN.md section 9).
 */
const READER_LIMITS = {
  maxYoungGenerationSizeMb: 16,
  maxOldGenerationSizeMb: 128,
};

/** Starts the reader thread: from source (tests, `npm run dev`) its entry is TypeScript, loaded through tsx. */
function startReader(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { resourceLimits: READER_LIMITS });
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`,
    { eval: true, resourceLimits: READER_LIMITS },
  );
}

async function* readInWorker(
  parts: AsyncIterable<Buffer>,
  entry: URL,
  options: ReaderOptions,
): AsyncGenerator<ReadLine> {
  const worker = startReader(entry);
  const source = parts[Symbol.asyncIterator]();
  const received: WireLine[][] = [];
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  // Asked for ahead, parts are read one after another: the source reads from one database cursor.
  let reading = Promise.resolve();
  let sourceDone = false;
  const sendPart = async () => {
    try {
      const next = sourceDone ? { done: true as const, value: undefined } : await source.next();
      if (next.done) {
        sourceDone = true;
        worker.postMessage({ type: 'part', data: null } satisfies ToReader);
        return;
      }
      // A part read from the database owns its memory: it moves to the thread without a copy.
      const data = new Uint8Array(next.value).buffer;
      worker.postMessage({ type: 'part', data } satisfies ToReader, [data]);
    } catch (error) {
      failure = error as Error;
      signal();
    }
  };
  worker.on('message', (message: FromReader) => {
    if (message.type === 'need-part') reading = reading.then(sendPart);
    else if (message.type === 'lines') received.push(message.lines);
    else if (message.type === 'done') finished = true;
    else failure = new AppError(message.code, message.message, { status: message.status });
    signal();
  });
  worker.on('error', (error) => {
    failure = error;
    signal();
  });
  worker.on('exit', () => {
    if (!finished) failure ??= new Error('the message reader thread stopped before the end of the message');
    signal();
  });
  worker.postMessage({
    type: 'start',
    application: options.application,
    dialect: options.dialect,
  } satisfies ToReader);
  try {
    for (;;) {
      const batch = received.shift();
      if (batch) {
        worker.postMessage({ type: 'credit' } satisfies ToReader);
        for (const line of batch) {
          if (line.kind === 'unreadable') {
            yield { kind: 'object', text: line.text, error: new ConversionError(line.path, line.reason) };
          } else if (line.kind === 'object') {
            yield { kind: 'object', text: line.text, incoming: line.incoming, complete: false };
          } else if (line.kind === 'prepared') {
            yield {
              kind: 'object',
              text: line.text,
              incoming: refOnlyObject(line.localType, line.peerRef),
              complete: false,
              prepared: line.rows,
            };
          } else {
            yield line;
          }
        }
        continue;
      }
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    finished = true;
    await worker.terminate();
    await source.return?.();
  }
}
