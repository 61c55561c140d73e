import { parentPort } from 'node:worker_threads';
import { AppError } from '../platform/errors.js';
import type { ConversionRules } from './conversion.js';
import {
  type FromReader,
  READER_BATCH,
  READER_CREDIT,
  type ReadPurpose,
  readLines,
  type ToReader,
  type WireLine,
} from './message-reader.js';

/** Parts asked for beyond the one being read. */
const PARTS_AHEAD = 2;

/**
 * The message reader's thread (message-reader.ts): reads the parts the other side hands it one by one,
 * converts each line with the application's rules, and sends the lines back in batches while it has
 * credit. The server starts it with the rules of every application (server/reader-thread-entry.ts).
 */
export function serveMessageReader(rulesFor: (application: string) => ConversionRules | undefined): void {
  const port = parentPort;
  if (!port) throw new Error('the message reader runs in a worker thread');
  let credit = READER_CREDIT;
  let waitingForCredit: (() => void) | undefined;
  let waitingForPart: ((data: ArrayBuffer | null) => void) | undefined;
  const send = (message: FromReader) => port.postMessage(message);

  // A part is asked for ahead of its turn, so that the next one is here when this one is read: the other
  // thread answers only between the chunks it applies.
  const arrived: (ArrayBuffer | null)[] = [];
  const ask = () => send({ type: 'need-part' });
  async function* parts(): AsyncGenerator<Buffer> {
    for (let asked = 0; asked < PARTS_AHEAD; asked += 1) ask();
    for (;;) {
      const data =
        arrived.length > 0
          ? arrived.shift()!
          : await new Promise<ArrayBuffer | null>((resolve) => {
              waitingForPart = resolve;
            });
      if (data === null) return;
      ask();
      yield Buffer.from(data);
    }
  }

  async function flush(lines: WireLine[]) {
    while (credit === 0) await new Promise<void>((resolve) => (waitingForCredit = resolve));
    credit -= 1;
    send({ type: 'lines', lines });
  }

  async function read(application: string, purpose: ReadPurpose) {
    const rules = rulesFor(application);
    if (!rules) throw new Error(`no conversion rules for the application "${application}"`);
    let batch: WireLine[] = [];
    for await (const line of readLines(parts(), rules, purpose, false)) {
      if (line.kind === 'value') batch.push(line);
      else if (line.error)
        batch.push({ kind: 'unreadable', text: line.text, path: line.error.path, reason: line.error.reason });
      else batch.push({ kind: 'object', text: line.text, incoming: line.incoming });
      if (batch.length >= READER_BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await flush(batch);
    send({ type: 'done' });
  }

  port.on('message', (message: ToReader) => {
    if (message.type === 'part') {
      const resolve = waitingForPart;
      waitingForPart = undefined;
      if (resolve) resolve(message.data);
      else arrived.push(message.data);
    } else if (message.type === 'credit') {
      credit += 1;
      const resolve = waitingForCredit;
      waitingForCredit = undefined;
      resolve?.();
    } else {
      read(message.application, message.purpose).catch((error: unknown) => {
        send(
          error instanceof AppError
            ? { type: 'failed', code: error.code, message: error.message, status: error.status }
            : {
                type: 'failed',
                code: 'internal_error',
                message: `the message could not be read: ${(error as Error).message}`,
                status: 500,
              },
        );
      });
    }
  });
}
