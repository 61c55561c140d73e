import { transcode } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable, type TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gunzip, gunzipSync, gzipSync, type ZlibOptions } from 'node:zlib';
import { AppError } from '../platform/errors.js';

/**
 * The native JSON wire: one JSON value per line (header, objects, trailer), gzip-compressed, cut into
 * parts of a fixed size. Both ends stream it, so memory stays flat however large a message is.
 */
export const DEFAULT_PART_SIZE = 1024 * 1024;
const SERIALIZE_CHUNK = 64 * 1024;

export type PartSink = (partNo: number, data: Buffer, sha256: string) => Promise<void>;
export type WrittenMessage = { partCount: number; size: number; sha256: string };

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function writeMessage(
  lines: AsyncIterable<unknown>,
  sink: PartSink,
  options: { partSize?: number; level?: number } = {},
): Promise<WrittenMessage> {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const level = options.level ?? 6;
  const whole = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let partCount = 0;
  let size = 0;
  const flush = async (final: boolean) => {
    while (pendingSize >= partSize || (final && pendingSize > 0)) {
      const joined = Buffer.concat(pending);
      const part = joined.subarray(0, partSize);
      const rest = joined.subarray(part.length);
      pending = rest.length > 0 ? [rest] : [];
      pendingSize = rest.length;
      partCount += 1;
      size += part.length;
      whole.update(part);
      await sink(partCount, Buffer.from(part), sha256(part));
    }
  };
  // Lines go to the compressor in chunks: each write is a trip to zlib's thread, too costly per line.
  // Each line's characters are copied into one buffer as UTF-16, which a chunk at a time becomes UTF-8.
  async function* serialize() {
    const buffered = Buffer.allocUnsafe(SERIALIZE_CHUNK * 2);
    let used = 0;
    for await (const line of lines) {
      const text = JSON.stringify(line);
      if (used + 2 * (text.length + 1) > buffered.length) {
        if (used > 0) yield utf8OfUtf16(buffered.subarray(0, used));
        used = 0;
        if (2 * (text.length + 1) > buffered.length) {
          yield utf8Of(`${text}\n`);
          continue;
        }
      }
      used += buffered.write(text, used, 'ucs2');
      used += buffered.write('\n', used, 'ucs2');
    }
    if (used > 0) yield utf8OfUtf16(buffered.subarray(0, used));
  }
  const chunks = serialize();
  const first = await chunks.next();
  const second = first.done ? first : await chunks.next();
  if (!first.done && second.done) {
    // A few changed objects fit one chunk: compressed at once, without a zlib stream's trips to its thread.
    const compressed = gzipSync(first.value, { level });
    pending = [compressed];
    pendingSize = compressed.length;
    await flush(true);
  } else {
    const taken = [first, second].flatMap((next) => (next.done ? [] : [next.value]));
    await pipeline(Readable.from(resumed(taken, chunks)), createGzip({ level }), async (compressed) => {
      for await (const chunk of compressed as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= partSize) await flush(false);
      }
      await flush(true);
    });
  }
  return { partCount, size, sha256: whole.digest('hex') };
}

/** What an iterator had left, after the items already taken from it; closes it if the reader stops early. */
async function* resumed<T>(taken: readonly T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    yield* taken;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/**
 * A single part up to this size, inflating to at most `SMALL_INFLATED` by its gzip trailer, is inflated
 * at once on the main thread: faster than a stream for it. The cap holds even if the trailer lies.
 */
const SMALL_MESSAGE = 64 * 1024;
const SMALL_INFLATED = 4 * 1024 * 1024;

function inflatesSmall(part: Buffer): boolean {
  return (
    part.length >= 18 && part.length <= SMALL_MESSAGE && part.readUInt32LE(part.length - 4) <= SMALL_INFLATED
  );
}

/** Reads the lines of a message from its parts, in order; a corrupt or cut stream fails as `bad_message`. */
export async function* readMessageLines(parts: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  let lineNo = 0;
  for await (const text of readMessageTexts(parts)) {
    lineNo += 1;
    if (text === '') continue;
    try {
      yield JSON.parse(text) as unknown;
    } catch {
      throw new AppError('bad_message', `The message is malformed: line ${lineNo} is not JSON`, {
        status: 422,
      });
    }
  }
}

/** The text of every line of a message, blank ones too, decoded; a corrupt or cut stream fails as `bad_message`. */
export async function* readMessageTexts(parts: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const iterator = parts[Symbol.asyncIterator]();
  let gunzip: Gunzip | undefined;
  let source: Readable | undefined;
  try {
    const first = await iterator.next();
    const second = first.done ? first : await iterator.next();
    let inflated: AsyncIterable<Buffer> | Iterable<Buffer>;
    if (!first.done && second.done && inflatesSmall(first.value)) {
      inflated = [gunzipSync(first.value, { maxOutputLength: SMALL_INFLATED })];
    } else {
      // zlib inflates on libuv's threads: room for a few MB lets it work ahead while the reader parses.
      // (zlib streams take the stream options too; its option type does not say so.)
      const readAhead: ZlibOptions & TransformOptions = {
        chunkSize: 256 * 1024,
        readableHighWaterMark: 4 << 20,
      };
      const inflating = createGunzip(readAhead);
      const taken = [first, second].flatMap((next) => (next.done ? [] : [next.value]));
      const from = Readable.from(resumed(taken, iterator));
      from.on('error', (error) => inflating.destroy(error));
      from.pipe(inflating);
      gunzip = inflating;
      source = from;
      inflated = inflating as AsyncIterable<Buffer>;
    }
    // Lines are cut at newline bytes (a newline never falls inside a character); the whole lines of a chunk
    // are decoded together, and the start of a line that spans chunks waits in `pending`.
    let pending: Buffer[] = [];
    for await (const chunk of inflated) {
      const first = chunk.indexOf(NEWLINE);
      if (first < 0) {
        pending.push(chunk);
        continue;
      }
      let start = 0;
      if (pending.length > 0) {
        pending.push(chunk.subarray(0, first));
        const joined = Buffer.concat(pending);
        pending = [];
        yield lineText(joined, 0, joined.length);
        start = first + 1;
      }
      const last = chunk.lastIndexOf(NEWLINE);
      while (start <= last) {
        // Decoded some ten kilobytes at a time: a string past V8's regular object size costs a mapping of its own.
        let end =
          start + DECODED_TOGETHER >= last ? last : chunk.lastIndexOf(NEWLINE, start + DECODED_TOGETHER);
        if (end < start) end = chunk.indexOf(NEWLINE, start);
        yield* wholeLines(chunk, start, end);
        start = end + 1;
      }
      if (last + 1 < chunk.length) pending.push(chunk.subarray(last + 1));
    }
    if (pending.length > 0) {
      const joined = Buffer.concat(pending);
      yield lineText(joined, 0, joined.length);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_message', `The message cannot be read: ${(error as Error).message}`, {
      status: 422,
      cause: error,
    });
  } finally {
    if (source) source.destroy();
    else await iterator.return?.();
    gunzip?.destroy();
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/*
 * The format's property names are Cyrillic, so most of a message is two-byte characters, which V8's own
 * UTF-8 encoder and decoder take one at a time; ICU's transcoder (`buffer.transcode`) converts between
 * UTF-8 and UTF-16 three to four times faster, and a UTF-16 buffer becomes a string by a copy. It refuses
 * what is not well formed (bytes that are not UTF-8, a lone surrogate): the plain way then does the
 * conversion, with its usual replacement characters.
 */
const TRANSCODED = 256;
const DECODED_TOGETHER = 16 * 1024;

function lineText(data: Buffer, start: number, end: number): string {
  const stop = end > start && data[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
  if (stop - start < TRANSCODED) return data.toString('utf8', start, stop);
  try {
    return transcodedText(data, start, stop);
  } catch {
    return data.toString('utf8', start, stop);
  }
}

/**
 * The lines between `start` and `end` (a newline), decoded as one text: a transcode per line costs more
 * than the decoding itself. Not well formed somewhere, they are decoded line by line, each the plain way.
 */
function* wholeLines(data: Buffer, start: number, end: number): Generator<string> {
  let text: string;
  try {
    text = end - start < TRANSCODED ? data.toString('utf8', start, end) : transcodedText(data, start, end);
  } catch {
    for (let from = start; from <= end; ) {
      const at = data.indexOf(NEWLINE, from);
      const stop = at < 0 || at > end ? end : at;
      yield lineText(data, from, stop);
      from = stop + 1;
    }
    return;
  }
  let from = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
    yield withoutReturn(text.slice(from, at));
    from = at + 1;
  }
  yield withoutReturn(text.slice(from));
}

function transcodedText(data: Buffer, start: number, end: number): string {
  return transcode(data.subarray(start, end), 'utf8', 'ucs2').toString('ucs2');
}

function withoutReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function utf8OfUtf16(text: Buffer): Buffer {
  try {
    return transcode(text, 'ucs2', 'utf8');
  } catch {
    return Buffer.from(text.toString('ucs2'), 'utf8');
  }
}

function utf8Of(text: string): Buffer {
  if (text.length < TRANSCODED) return Buffer.from(text, 'utf8');
  try {
    return transcode(Buffer.from(text, 'ucs2'), 'ucs2', 'utf8');
  } catch {
    return Buffer.from(text, 'utf8');
  }
}
