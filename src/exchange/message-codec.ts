import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { AppError } from '../platform/errors.js';

/**
 * The native JSON wire: one JSON value per line (header, objects, trailer), gzip-compressed, cut into
 * parts of a fixed size. Both ends stream it, so memory stays flat however large a message is.
 */
export const DEFAULT_PART_SIZE = 1024 * 1024;

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
  async function* serialize() {
    for await (const line of lines) yield `${JSON.stringify(line)}\n`;
  }
  await pipeline(
    Readable.from(serialize()),
    createGzip({ level: options.level ?? 6 }),
    async (compressed) => {
      for await (const chunk of compressed as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= partSize) await flush(false);
      }
      await flush(true);
    },
  );
  return { partCount, size, sha256: whole.digest('hex') };
}

/** Reads the lines of a message from its parts, in order; a corrupt or cut stream fails as `bad_message`. */
export async function* readMessageLines(parts: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  const gunzip = createGunzip();
  const source = Readable.from(parts);
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (line === '') continue;
      try {
        yield JSON.parse(line);
      } catch {
        throw new AppError('bad_message', `The message is malformed: line ${lineNo} is not JSON`, {
          status: 422,
        });
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_message', `The message cannot be read: ${(error as Error).message}`, {
      status: 422,
      cause: error,
    });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}
