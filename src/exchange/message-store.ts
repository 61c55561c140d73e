import { createHash } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { Db } from '../platform/storage/index.js';
import { sha256, type WrittenMessage, writeMessage } from './message-codec.js';

export type Direction = 'in' | 'out';
/** receiving: parts arriving; complete: all parts here; awaiting-mapping: an initial message kept for stage 2. */
export type MessageStatus = 'ready' | 'receiving' | 'complete' | 'awaiting-mapping';

export type StoredMessage = {
  nodeId: string;
  direction: Direction;
  messageNo: number;
  status: MessageStatus;
  partCount: number;
  size: number;
  sha256: string;
  objectCount: number;
  createdAt: string;
};

export type MessageDescriptor = Pick<
  StoredMessage,
  'messageNo' | 'partCount' | 'size' | 'sha256' | 'objectCount'
>;

function decode(row: Record<string, unknown>): StoredMessage {
  return {
    nodeId: String(row.node_id),
    direction: String(row.direction) as Direction,
    messageNo: Number(row.message_no),
    status: String(row.status) as MessageStatus,
    partCount: Number(row.part_count),
    size: Number(row.size),
    sha256: String(row.sha256),
    objectCount: Number(row.object_count),
    createdAt: String(row.created_at),
  };
}

export function describe(message: StoredMessage): MessageDescriptor {
  const { messageNo, partCount, size, sha256: hash, objectCount } = message;
  return { messageNo, partCount, size, sha256: hash, objectCount };
}

/** Messages and their parts, kept in the infobase's own database so they share its transactions. */
export function createMessageStore(db: Db) {
  async function deleteMessage(trx: Db, nodeId: string, direction: Direction, messageNo: number) {
    for (const table of ['exchange_message_parts', 'exchange_messages']) {
      await trx
        .deleteFrom(table)
        .where('node_id', '=', nodeId)
        .where('direction', '=', direction)
        .where('message_no', '=', messageNo)
        .execute();
    }
  }

  async function get(nodeId: string, direction: Direction, messageNo: number, trx: Db = db) {
    const row = await trx
      .selectFrom('exchange_messages')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('direction', '=', direction)
      .where('message_no', '=', messageNo)
      .executeTakeFirst();
    return row ? decode(row) : undefined;
  }

  async function readPart(
    nodeId: string,
    direction: Direction,
    messageNo: number,
    partNo: number,
    trx: Db = db,
  ) {
    const row = await trx
      .selectFrom('exchange_message_parts')
      .select(['data', 'sha256'])
      .where('node_id', '=', nodeId)
      .where('direction', '=', direction)
      .where('message_no', '=', messageNo)
      .where('part_no', '=', partNo)
      .executeTakeFirst();
    return row ? { data: Buffer.from(row.data as Uint8Array), sha256: String(row.sha256) } : undefined;
  }

  async function receivedParts(nodeId: string, messageNo: number, trx: Db = db): Promise<number[]> {
    const rows = await trx
      .selectFrom('exchange_message_parts')
      .select('part_no')
      .where('node_id', '=', nodeId)
      .where('direction', '=', 'in')
      .where('message_no', '=', messageNo)
      .orderBy('part_no')
      .execute();
    return rows.map((row) => Number(row.part_no));
  }

  /** The parts in order, one query each, so a large message is never in memory at once. */
  async function* parts(
    nodeId: string,
    direction: Direction,
    messageNo: number,
    trx: Db = db,
  ): AsyncGenerator<Buffer> {
    const message = await get(nodeId, direction, messageNo, trx);
    if (!message)
      throw new AppError('unknown_message', `Message ${messageNo} is not stored here`, { status: 404 });
    for (let partNo = 1; partNo <= message.partCount; partNo += 1) {
      const part = await readPart(nodeId, direction, messageNo, partNo, trx);
      if (!part) {
        throw new AppError(
          'bad_message',
          `Message ${messageNo} lacks part ${partNo} of ${message.partCount}`,
          {
            status: 422,
          },
        );
      }
      yield part.data;
    }
  }

  async function setStatus(
    nodeId: string,
    direction: Direction,
    messageNo: number,
    status: MessageStatus,
    trx: Db = db,
  ) {
    await trx
      .updateTable('exchange_messages')
      .set({ status })
      .where('node_id', '=', nodeId)
      .where('direction', '=', direction)
      .where('message_no', '=', messageNo)
      .execute();
    return (await get(nodeId, direction, messageNo, trx))!;
  }

  return {
    get,
    deleteMessage,

    async latest(nodeId: string, direction: Direction, trx: Db = db): Promise<StoredMessage | undefined> {
      const row = await trx
        .selectFrom('exchange_messages')
        .selectAll()
        .where('node_id', '=', nodeId)
        .where('direction', '=', direction)
        .orderBy('message_no', 'desc')
        .executeTakeFirst();
      return row ? decode(row) : undefined;
    },

    async list(nodeId: string, direction: Direction, trx: Db = db): Promise<StoredMessage[]> {
      const rows = await trx
        .selectFrom('exchange_messages')
        .selectAll()
        .where('node_id', '=', nodeId)
        .where('direction', '=', direction)
        .orderBy('message_no')
        .execute();
      return rows.map(decode);
    },

    /** Writes an outgoing message in place of any older one: an unacknowledged change goes again anyway. */
    async writeOutgoing(
      trx: Db,
      nodeId: string,
      messageNo: number,
      lines: AsyncIterable<unknown>,
      objectCount: () => number,
      partSize?: number,
    ): Promise<StoredMessage> {
      await trx
        .deleteFrom('exchange_message_parts')
        .where('node_id', '=', nodeId)
        .where('direction', '=', 'out')
        .execute();
      await trx
        .deleteFrom('exchange_messages')
        .where('node_id', '=', nodeId)
        .where('direction', '=', 'out')
        .execute();
      const written: WrittenMessage = await writeMessage(
        lines,
        async (partNo, data, hash) => {
          await trx
            .insertInto('exchange_message_parts')
            .values({
              node_id: nodeId,
              direction: 'out',
              message_no: messageNo,
              part_no: partNo,
              sha256: hash,
              data,
            })
            .execute();
        },
        partSize === undefined ? {} : { partSize },
      );
      const message: StoredMessage = {
        nodeId,
        direction: 'out',
        messageNo,
        status: 'ready',
        ...written,
        objectCount: objectCount(),
        createdAt: new Date().toISOString(),
      };
      await trx
        .insertInto('exchange_messages')
        .values({
          node_id: nodeId,
          direction: 'out',
          message_no: messageNo,
          status: message.status,
          part_count: message.partCount,
          size: message.size,
          sha256: message.sha256,
          object_count: message.objectCount,
          created_at: message.createdAt,
        })
        .execute();
      return message;
    },

    readPart,

    parts,

    /**
     * Announces an incoming message; announcing the same one again keeps the parts already received. An
     * older one still arriving is dropped: the sender keeps only its latest message, so it can never be
     * completed and would stay for ever.
     */
    async beginIncoming(nodeId: string, descriptor: MessageDescriptor, trx: Db = db): Promise<StoredMessage> {
      const existing = await get(nodeId, 'in', descriptor.messageNo, trx);
      if (existing && existing.sha256 === descriptor.sha256 && existing.partCount === descriptor.partCount)
        return existing;
      if (existing) await deleteMessage(trx, nodeId, 'in', descriptor.messageNo);
      const superseded = await trx
        .selectFrom('exchange_messages')
        .select('message_no')
        .where('node_id', '=', nodeId)
        .where('direction', '=', 'in')
        .where('message_no', '<', descriptor.messageNo)
        .where('status', 'in', ['receiving', 'complete'])
        .execute();
      for (const row of superseded) await deleteMessage(trx, nodeId, 'in', Number(row.message_no));
      await trx
        .insertInto('exchange_messages')
        .values({
          node_id: nodeId,
          direction: 'in',
          message_no: descriptor.messageNo,
          status: 'receiving',
          part_count: descriptor.partCount,
          size: descriptor.size,
          sha256: descriptor.sha256,
          object_count: descriptor.objectCount,
          created_at: new Date().toISOString(),
        })
        .execute();
      return (await get(nodeId, 'in', descriptor.messageNo, trx))!;
    },

    /**
     * Drops incoming messages numbered up to `receivedNo`, which were applied already: a repeat of one (a
     * retry, a duplicated or replayed announcement) is stored until its import skips it, and when that
     * import never comes it would stay for ever.
     */
    async dropApplied(nodeId: string, receivedNo: number, trx: Db = db) {
      const applied = await trx
        .selectFrom('exchange_messages')
        .select('message_no')
        .where('node_id', '=', nodeId)
        .where('direction', '=', 'in')
        .where('message_no', '<=', receivedNo)
        .where('status', 'in', ['receiving', 'complete'])
        .execute();
      for (const row of applied) await deleteMessage(trx, nodeId, 'in', Number(row.message_no));
    },

    async storeIncomingPart(nodeId: string, messageNo: number, partNo: number, data: Buffer, trx: Db = db) {
      const message = await get(nodeId, 'in', messageNo, trx);
      if (!message) {
        throw new AppError(
          'unknown_message',
          `Message ${messageNo} was not announced; announce it before its parts`,
          {
            status: 409,
          },
        );
      }
      if (partNo < 1 || partNo > message.partCount) {
        throw new AppError(
          'bad_part',
          `Message ${messageNo} has parts 1 to ${message.partCount}, not ${partNo}`,
          {
            status: 422,
          },
        );
      }
      await trx
        .insertInto('exchange_message_parts')
        .values({
          node_id: nodeId,
          direction: 'in',
          message_no: messageNo,
          part_no: partNo,
          sha256: sha256(data),
          data,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['node_id', 'direction', 'message_no', 'part_no'])
            .doUpdateSet({ sha256: sha256(data), data }),
        )
        .execute();
    },

    receivedParts,

    /** Checks that every part arrived and the whole matches its hash. */
    async verifyIncoming(nodeId: string, messageNo: number, trx: Db = db): Promise<StoredMessage> {
      const message = await get(nodeId, 'in', messageNo, trx);
      if (!message)
        throw new AppError('unknown_message', `Message ${messageNo} was not received`, { status: 404 });
      if (message.status !== 'receiving') return message;
      const received = await receivedParts(nodeId, messageNo, trx);
      if (received.length !== message.partCount) {
        throw new AppError(
          'message_incomplete',
          `Message ${messageNo} has ${received.length} of ${message.partCount} parts; send the missing ones first`,
          { status: 409, details: { missing: missingParts(received, message.partCount) } },
        );
      }
      const whole = createHash('sha256');
      for await (const part of parts(nodeId, 'in', messageNo, trx)) whole.update(part);
      if (whole.digest('hex') !== message.sha256) {
        await deleteMessage(trx, nodeId, 'in', messageNo);
        throw new AppError(
          'bad_message',
          `Message ${messageNo} arrived corrupted (its hash does not match); send it again`,
          {
            status: 422,
          },
        );
      }
      return setStatus(nodeId, 'in', messageNo, 'complete', trx);
    },

    setStatus,
  };
}

export function missingParts(received: readonly number[], partCount: number): number[] {
  const have = new Set(received);
  return Array.from({ length: partCount }, (_, index) => index + 1).filter((partNo) => !have.has(partNo));
}

export type MessageStore = ReturnType<typeof createMessageStore>;
