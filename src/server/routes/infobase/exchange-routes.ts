import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ExchangeHub } from '../../../exchange/exchange-service.js';
import {
  announcementSchema,
  createNodeRequestSchema,
  outboxRequestSchema,
} from '../../../exchange/peer-protocol.js';
import { AppError } from '../../../platform/errors.js';

const params = z.object({ ib: z.string() });
const nodeParams = params.extend({ code: z.string().min(1).max(100) });
const messageParams = nodeParams.extend({ messageNo: z.coerce.number().int().min(1) });
const partParams = messageParams.extend({ partNo: z.coerce.number().int().min(1).max(1_000_000) });

/** A part is at most this big; anything larger is refused before it is read. */
export const MAX_PART_BYTES = 16 * 1024 * 1024;

function caller(request: FastifyRequest) {
  return { login: request.principal.login ?? '', role: request.principal.role };
}

/**
 * The exchange protocol a peer calls (`/:ib/exchange/v1/...`), authenticated as the pass-through user.
 * The node in the path is the caller's own node code.
 */
export function exchangeRoutes(app: FastifyInstance, hub: ExchangeHub) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const peer = async (request: FastifyRequest) => (await hub.of((request.params as { ib: string }).ib)).peer;

  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: MAX_PART_BYTES },
    (_request, body, done) => done(null, body),
  );

  api.get('/:ib/exchange/v1/info', {
    schema: {
      params,
      querystring: z.object({ node: z.string().optional() }),
      tags: ['exchange'],
      summary:
        'What this infobase is (application, versions, prefix, node code); with credentials, also the caller and its node',
    },
    config: { access: 'peer-optional' },
    handler: async (request) => {
      const service = await peer(request);
      const info = await service.info(request.principal ? caller(request) : undefined);
      if (info.caller && request.query.node) info.caller.node = await service.callerNode(request.query.node);
      return info;
    },
  });

  api.post('/:ib/exchange/v1/nodes', {
    schema: {
      params,
      body: createNodeRequestSchema,
      tags: ['exchange'],
      summary: "Create (or find again) this side's node for the caller",
    },
    config: { access: 'peer' },
    handler: async (request) => (await peer(request)).createNode(request.body),
  });

  api.get('/:ib/exchange/v1/nodes/:code', {
    schema: {
      params: nodeParams,
      tags: ['exchange'],
      summary: "The state of this side's node for the caller",
    },
    config: { access: 'peer' },
    handler: async (request) => (await peer(request)).nodeStatus(request.params.code),
  });

  api.delete('/:ib/exchange/v1/nodes/:code', {
    schema: { params: nodeParams, tags: ['exchange'], summary: "Remove this side's node for the caller" },
    config: { access: 'peer' },
    handler: async (request, reply) => {
      await (await peer(request)).deleteNode(request.params.code);
      return reply.status(204).send();
    },
  });

  api.post('/:ib/exchange/v1/nodes/:code/outbox', {
    schema: {
      params: nodeParams,
      body: outboxRequestSchema.optional(),
      tags: ['exchange'],
      summary:
        'Prepare the next message for the caller (or only the acknowledgement), taking its acknowledgement first',
    },
    config: { access: 'peer' },
    handler: async (request) =>
      (await peer(request)).prepareOutbox(request.params.code, caller(request), request.body ?? {}),
  });

  api.get('/:ib/exchange/v1/nodes/:code/outbox/:messageNo/parts/:partNo', {
    schema: { params: partParams, tags: ['exchange'], summary: 'One part of a prepared message' },
    config: { access: 'peer' },
    handler: async (request, reply) => {
      const { code, messageNo, partNo } = request.params;
      const data = await (await peer(request)).readPart(code, messageNo, partNo);
      return reply.type('application/octet-stream').send(data);
    },
  });

  api.put('/:ib/exchange/v1/nodes/:code/inbox/:messageNo', {
    schema: {
      params: messageParams,
      body: announcementSchema,
      tags: ['exchange'],
      summary:
        'Announce a message (a small one with its only part inline); answers which parts are here, and with `import` applies a whole one',
    },
    config: { access: 'peer' },
    handler: async (request) => {
      if (request.body.messageNo !== request.params.messageNo) {
        throw new AppError('bad_request', 'The message number in the path and in the body differ', {
          status: 422,
        });
      }
      return (await peer(request)).announce(request.params.code, request.body, caller(request));
    },
  });

  api.get('/:ib/exchange/v1/nodes/:code/inbox/:messageNo', {
    schema: { params: messageParams, tags: ['exchange'], summary: 'Which parts of a message are here' },
    config: { access: 'peer' },
    handler: async (request) =>
      (await peer(request)).inboxState(request.params.code, request.params.messageNo),
  });

  api.put('/:ib/exchange/v1/nodes/:code/inbox/:messageNo/parts/:partNo', {
    schema: {
      params: partParams,
      tags: ['exchange'],
      summary: 'One part of a message (application/octet-stream, x-ibsync-sha256)',
    },
    config: { access: 'peer' },
    bodyLimit: MAX_PART_BYTES,
    handler: async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('bad_request', 'A message part must be sent as application/octet-stream', {
          status: 415,
        });
      }
      const { code, messageNo, partNo } = request.params;
      const declared = request.headers['x-ibsync-sha256'];
      await (await peer(request)).storePart(
        code,
        messageNo,
        partNo,
        request.body,
        typeof declared === 'string' ? declared : undefined,
      );
      return reply.status(204).send();
    },
  });

  api.post('/:ib/exchange/v1/nodes/:code/inbox/:messageNo/import', {
    schema: {
      params: messageParams,
      tags: ['exchange'],
      summary: 'Apply a received message (or keep it for mapping during setup)',
    },
    config: { access: 'peer' },
    handler: async (request) =>
      (await peer(request)).importMessage(request.params.code, request.params.messageNo, caller(request)),
  });

  api.post('/:ib/exchange/v1/nodes/:code/ack', {
    schema: {
      params: nodeParams,
      body: z.object({ receivedNo: z.number().int().min(0) }),
      tags: ['exchange'],
      summary: 'Acknowledge the messages received from this side',
    },
    config: { access: 'peer' },
    handler: async (request, reply) => {
      await (await peer(request)).acknowledge(request.params.code, request.body.receivedNo);
      return reply.status(204).send();
    },
  });
}
