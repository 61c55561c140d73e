import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import type { Host } from '../../platform/host.js';
import { isLoopback } from '../auth.js';

/** The seed's "Databases" list of the host's account: each infobase with its publication URL (S13). */
export function hostRoutes(app: FastifyInstance, host: Host, options: { publicUrl?: string | undefined }) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const baseUrl = (request: FastifyRequest) =>
    options.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;

  const listInfobases = async (request: FastifyRequest) =>
    (await host.list()).map((entry) => {
      const application = host.applications.get(entry.application);
      return {
        name: entry.name,
        title: entry.title,
        application: entry.application,
        applicationLabel: application?.label ?? { en: entry.application, ru: entry.application },
        publicationUrl: `${baseUrl(request)}/${entry.name}`,
      };
    });

  api.get('/api/v1/infobases', {
    schema: { tags: ['host'], summary: 'The infobases this host publishes, with their publication URLs' },
    handler: listInfobases,
  });

  api.post('/api/v1/infobases', {
    schema: {
      body: z.object({
        name: z.string().min(1).max(40),
        application: z.string(),
        title: z.string().max(100).optional(),
      }),
      tags: ['host'],
      summary: 'Create an infobase (only from the host computer itself)',
    },
    handler: async (request, reply) => {
      if (!isLoopback(request)) {
        throw new AppError('loopback_only', 'Infobases can be created only from the host computer itself', {
          status: 403,
        });
      }
      const { name, application, title } = request.body;
      await host.create(name, application, title);
      const created = (await listInfobases(request)).find((entry) => entry.name === name);
      return reply.status(201).send(created);
    },
  });

  api.get('/api/v1/health', {
    schema: { tags: ['host'], summary: 'Whether the host is up' },
    handler: async () => ({ status: 'ok' }),
  });
}
