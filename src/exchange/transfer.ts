import { AppError } from '../platform/errors.js';
import { acknowledge } from './change-log.js';
import type { ExchangeContext } from './exchange-context.js';
import type { Progress } from './export.js';
import { type ImportResult, importMessage } from './import.js';
import type { SessionRecord } from './journal.js';
import { describe, type StoredMessage } from './message-store.js';
import type { ExchangeNode } from './nodes.js';
import { INLINE_MESSAGE_BYTES, type Outbox, type PeerImportResult } from './peer-protocol.js';
import type { PeerTransport } from './transport.js';

/**
 * Sends a stored outgoing message: the peer says which parts it already has, only the missing ones
 * travel, then the peer applies it. Its answer acknowledges our message at once.
 */
export async function deliverMessage(
  context: ExchangeContext,
  transport: PeerTransport,
  node: ExchangeNode,
  message: StoredMessage,
  record: SessionRecord,
  progress?: Progress,
): Promise<PeerImportResult> {
  const ownCode = await context.ownCode();
  const readPart = async (partNo: number) => {
    const part = await context.messages.readPart(node.id, 'out', message.messageNo, partNo);
    if (!part)
      throw new AppError('bad_message', `Part ${partNo} of our message ${message.messageNo} is missing`, {
        status: 500,
      });
    return part;
  };
  // A few changes fit one small part: it travels inside the announcement.
  const inline =
    message.partCount === 1 && message.size <= INLINE_MESSAGE_BYTES ? (await readPart(1)).data : undefined;
  const inbox = await transport.announce(ownCode, describe(message), inline);
  if (inline) record.bytesSent += inline.length;
  const imported = inbox.imported?.status === 'importing' ? undefined : inbox.imported;
  let sent = 0;
  for (const partNo of inbox.missing) {
    progress?.(sent, inbox.missing.length);
    const part = await readPart(partNo);
    await transport.uploadPart(ownCode, message.messageNo, partNo, part.data, part.sha256);
    record.bytesSent += part.data.length;
    sent += 1;
  }
  progress?.(sent, inbox.missing.length);
  const result = imported ?? (await transport.importMessage(ownCode, message.messageNo));
  record.sentMessageNo = message.messageNo;
  if (
    result.status === 'applied' ||
    result.status === 'duplicate' ||
    result.status === 'stored-for-mapping'
  ) {
    await context.infobase.db.transaction().execute((trx) => acknowledge(trx, node.id, result.receivedNo));
  }
  return result;
}

/** Fetches the peer's message for us (resuming the parts we already have) and applies it here. */
export async function receiveMessage(
  context: ExchangeContext,
  transport: PeerTransport,
  node: ExchangeNode,
  outbox: Outbox,
  record: SessionRecord,
  progress?: Progress,
): Promise<ImportResult | undefined> {
  await context.infobase.db.transaction().execute((trx) => acknowledge(trx, node.id, outbox.receivedNo));
  const descriptor = outbox.message;
  if (!descriptor || descriptor.messageNo <= node.receivedNo) return undefined;
  const ownCode = await context.ownCode();
  await context.messages.beginIncoming(node.id, descriptor);
  const have = new Set(await context.messages.receivedParts(node.id, descriptor.messageNo));
  for (let partNo = 1; partNo <= descriptor.partCount; partNo += 1) {
    if (have.has(partNo)) continue;
    const data = await transport.downloadPart(ownCode, descriptor.messageNo, partNo);
    await context.messages.storeIncomingPart(node.id, descriptor.messageNo, partNo, data);
  }
  const result = await importMessage(context, node.id, descriptor.messageNo, progress ? { progress } : {});
  record.merge(result.record);
  return result;
}
