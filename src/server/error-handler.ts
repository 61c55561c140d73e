import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';

/** Fastify's own client errors, given our stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

/**
 * One place turns failures into responses: a stable code and a message naming the cause. Below 500 the
 * message is shown as is; a 5xx shows only the request id, and the log keeps the details.
 */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply.status(error.status).send(error.toJSON());
    }
    const statusCode = (error as FastifyError).statusCode ?? 500;
    if (statusCode < 500) {
      const code = FASTIFY_CODES[(error as FastifyError).code] ?? 'bad_request';
      return reply.status(statusCode).send({ code, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({
      code: 'internal_error',
      message: `The host failed to handle this request; its log has the details under request id ${request.id}`,
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      code: 'not_found',
      message: `There is no ${request.method} ${request.url.split('?')[0]} on this host`,
    });
  });
}
