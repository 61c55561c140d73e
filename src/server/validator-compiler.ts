import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { validationError } from '../platform/errors.js';
import { safeParseFields } from '../platform/field-errors.js';

/** Request validation with Zod that fails with our field errors, naming the part of the request. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const parsed = safeParseFields(schema, data);
    if (parsed.success) return { value: parsed.data };
    const part =
      httpPart === 'querystring' ? 'query' : httpPart === 'params' ? 'path' : (httpPart ?? 'request');
    return { error: validationError(parsed.errors, `The request's ${part}`) };
  };
