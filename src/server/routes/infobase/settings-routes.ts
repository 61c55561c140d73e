import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const params = z.object({ ib: z.string() });

export function settingsRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/:ib/api/v1/settings', {
    schema: {
      params,
      tags: ['settings'],
      summary: 'The infobase prefix and whether data synchronization is enabled',
    },
    config: { access: 'settings.read' },
    handler: async (request) => ({
      name: request.infobase.name,
      application: request.infobase.app.name,
      ...(await request.infobase.settings.get()),
    }),
  });

  api.get('/:ib/api/v1/settings/prefix-preview', {
    schema: {
      params,
      querystring: z.object({ prefix: z.string() }),
      tags: ['settings'],
      summary: 'The next numbers under a new prefix, restarting at 1 and continuing (S11)',
    },
    config: { access: 'settings.read' },
    handler: async (request) => request.infobase.settings.previewPrefix(request.query.prefix),
  });

  api.patch('/:ib/api/v1/settings', {
    schema: {
      params,
      body: z.object({
        prefix: z.string().optional(),
        continueNumbering: z.boolean().default(false),
        syncEnabled: z.boolean().optional(),
      }),
      tags: ['settings'],
      summary: 'Set the prefix (restart or continue numbering) and enable or disable data synchronization',
    },
    config: { access: 'settings.write' },
    handler: async (request) => {
      const { prefix, continueNumbering, syncEnabled } = request.body;
      const prefixChange =
        prefix === undefined
          ? undefined
          : await request.infobase.settings.setPrefix(prefix, { continueNumbering });
      if (syncEnabled !== undefined) await request.infobase.settings.setSyncEnabled(syncEnabled);
      return {
        name: request.infobase.name,
        application: request.infobase.app.name,
        ...(await request.infobase.settings.get()),
        ...(prefixChange ? { prefixChange } : {}),
      };
    },
  });
}
