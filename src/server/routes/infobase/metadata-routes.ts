import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CodeRule, FieldDef, FieldType } from '../../../platform/metadata.js';

const params = z.object({ ib: z.string() });

function describeType(type: FieldType) {
  const { pattern, ...rest } = type as FieldType & { pattern?: RegExp };
  return pattern ? { ...rest, pattern: pattern.source } : rest;
}

function describeCode(rule: CodeRule) {
  return rule.kind === 'natural' ? { ...rule, pattern: rule.pattern?.source } : rule;
}

function describeField(field: FieldDef) {
  return { ...field, type: describeType(field.type) };
}

/** The application's declaration, so that clients (the web UI's forms) are built from the same source. */
export function metadataRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get('/:ib/api/v1/metadata', {
    schema: {
      params,
      tags: ['metadata'],
      summary: 'Catalogs and documents of this infobase, with their fields',
    },
    config: { access: 'authenticated' },
    handler: async (request) => {
      const { app: application } = request.infobase;
      return {
        application: application.name,
        label: application.label,
        version: application.version,
        types: application.types.map((def) => ({
          name: def.name,
          kind: def.kind,
          label: def.label,
          pluralLabel: def.pluralLabel,
          presentation: def.presentation,
          code: def.kind === 'catalog' ? describeCode(def.code ?? { kind: 'auto' }) : undefined,
          fields: def.fields.map(describeField),
          tabularSections: (def.tabularSections ?? []).map((section) => ({
            name: section.name,
            label: section.label,
            fields: section.fields.map(describeField),
          })),
        })),
      };
    },
  });
}
