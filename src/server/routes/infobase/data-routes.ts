import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { writeOrigin } from '../../infobase-context.js';

const params = z.object({ ib: z.string(), type: z.string() });
const refParams = params.extend({ ref: z.string() });
const RESERVED_QUERY = ['limit', 'offset', 'sort', 'order', 'search', 'includeDeleted'];

const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    offset: z.coerce.number().int().min(0).optional(),
    sort: z.string().optional(),
    order: z.enum(['asc', 'desc']).optional(),
    search: z.string().max(200).optional(),
    includeDeleted: z.enum(['true', 'false']).optional(),
  })
  .catchall(z.string())
  .describe('Any other parameter filters by equality on the field of that name, e.g. ?inn=7701234567');

const body = z
  .record(z.string(), z.unknown())
  .describe('The object: see GET /{ib}/api/v1/metadata for its fields');

/** Catalogs and documents: `/:ib/api/v1/data/:type[/:ref]`; the object store validates against the declaration. */
export function dataRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/:ib/api/v1/data/:type', {
    schema: { params, querystring: listQuery, tags: ['data'], summary: 'List catalog items or documents' },
    config: { access: 'data.read' },
    handler: async (request) => {
      const { limit, offset, sort, order, search, includeDeleted, ...rest } = request.query;
      const filter = Object.fromEntries(
        Object.entries(rest).filter(([key]) => !RESERVED_QUERY.includes(key)),
      ) as Record<string, string>;
      return request.infobase.objects.list(request.params.type, {
        filter,
        ...(limit !== undefined ? { limit } : {}),
        ...(offset !== undefined ? { offset } : {}),
        ...(sort !== undefined ? { sort } : {}),
        ...(order !== undefined ? { descending: order === 'desc' } : {}),
        ...(search ? { search } : {}),
        includeDeleted: includeDeleted === 'true',
      });
    },
  });

  api.post('/:ib/api/v1/data/:type', {
    schema: { params, body, tags: ['data'], summary: 'Create a catalog item or document' },
    config: { access: 'data.write' },
    handler: async (request, reply) => {
      const created = await request.infobase.objects.create(
        request.params.type,
        request.body,
        writeOrigin(request),
      );
      return reply.status(201).send(created);
    },
  });

  api.get('/:ib/api/v1/data/:type/:ref', {
    schema: { params: refParams, tags: ['data'], summary: 'Read one object with its lines' },
    config: { access: 'data.read' },
    handler: async (request) => request.infobase.objects.require(request.params.type, request.params.ref),
  });

  api.patch('/:ib/api/v1/data/:type/:ref', {
    schema: {
      params: refParams,
      body,
      tags: ['data'],
      summary: 'Change fields of an object (give `version` to refuse a stale edit)',
    },
    config: { access: 'data.write' },
    handler: async (request) =>
      request.infobase.objects.update(
        request.params.type,
        request.params.ref,
        request.body,
        writeOrigin(request),
      ),
  });

  api.delete('/:ib/api/v1/data/:type/:ref', {
    schema: {
      params: refParams,
      querystring: z.object({ undo: z.enum(['true', 'false']).optional() }),
      tags: ['data'],
      summary: 'Mark an object for deletion (?undo=true removes the mark)',
    },
    config: { access: 'data.write' },
    handler: async (request) =>
      request.infobase.objects.setDeletionMark(
        request.params.type,
        request.params.ref,
        request.query.undo !== 'true',
        writeOrigin(request),
      ),
  });

  api.post('/:ib/api/v1/data/:type/:ref/purge', {
    schema: {
      params: refParams,
      tags: ['data'],
      summary: 'Delete a marked object for good, if nothing refers to it',
    },
    config: { access: 'data.purge' },
    handler: async (request, reply) => {
      const { type, ref } = request.params;
      const object = await request.infobase.objects.require(type, ref);
      if (!object.deleted) {
        return reply.status(409).send({
          code: 'not_marked',
          message: `The ${type} ${ref} is not marked for deletion; mark it first`,
        });
      }
      await request.infobase.objects.remove(type, ref, writeOrigin(request));
      return reply.status(204).send();
    },
  });
}
