import { parentPort } from 'node:worker_threads';
import { AppError } from '../platform/errors.js';
import { type ApplicationDef, findType } from '../platform/metadata.js';
import {
  type BooleanEncoding,
  type NewObjectRows,
  receivedDocumentRows,
} from '../platform/objects/object-rows.js';
import { booleanEncodings, type DialectName } from '../platform/storage/storage.js';
import type { ConversionRules, IncomingDeletion, IncomingObject, IncomingValue } from './conversion.js';
import { inputOf, resolveValues } from './incoming-input.js';
import {
  type FromReader,
  READER_BATCH,
  READER_CREDIT,
  readLines,
  type ToReader,
  type WireLine,
  withRefsOnly,
} from './message-reader.js';

/** Parts asked for beyond the one being read. */
const PARTS_AHEAD = 2;

/**
 * The message reader's thread (message-reader.ts), for an import: reads the parts the other side hands it
 * one by one, converts each line with the application's rules, prepares a new document's rows, and sends
 * the lines back in batches while it has credit. The server starts it with the rules of every application (server/reader-thread-entry.ts).
 */
export function serveMessageReader(
  rulesFor: (application: string) => ConversionRules | undefined,
  applicationFor: (application: string) => ApplicationDef | undefined,
): void {
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

  async function read(application: string, dialect: DialectName) {
    const rules = rulesFor(application);
    const app = applicationFor(application);
    if (!rules || !app) throw new Error(`no conversion rules for the application "${application}"`);
    let batch: WireLine[] = [];
    for await (const line of readLines(parts(), rules, 'import')) {
      if (line.kind === 'value') batch.push(line);
      else if (line.error)
        batch.push({ kind: 'unreadable', text: line.text, path: line.error.path, reason: line.error.reason });
      else {
        const rows = preparedRows(app, booleanEncodings[dialect], line.incoming);
        batch.push(
          rows
            ? {
                kind: 'prepared',
                text: line.text,
                localType: line.incoming.localType,
                peerRef: line.incoming.peerRef,
                rows,
              }
            : { kind: 'object', text: line.text, incoming: withRefsOnly(line.incoming) },
        );
      }
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
      read(message.application, message.dialect).catch((error: unknown) => {
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

/**
 * A received document's rows, made here for the importer to store if the document is new there and every
 * reference stands for the object of the same ref (which it checks, and replaces any that do not). Only
 * for types whose rows no reference changes: no search fields, a presentation without references.
 */
function preparedRows(
  app: ApplicationDef,
  encoding: BooleanEncoding,
  incoming: IncomingObject | IncomingDeletion,
): NewObjectRows | undefined {
  if (incoming.action !== 'put') return undefined;
  const def = findType(app, incoming.localType);
  if (def?.kind !== 'document' || def.searchFields?.length) return undefined;
  const values = resolveValues(incoming, (value) => byPeerRef(value as IncomingValue));
  if (!values) return undefined;
  const input = inputOf(def, incoming, values, true);
  input.ref = incoming.peerRef;
  return receivedDocumentRows(def, encoding, input, {
    createdIn: incoming.system.createdIn,
    updatedAt: new Date().toISOString(),
  });
}

/** A value, a reference as its peer's ref; undefined for a reference without one (found by its keys only). */
function byPeerRef(value: IncomingValue): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return value.peerRef ?? undefined;
}
