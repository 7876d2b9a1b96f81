// How a service answers what went wrong: every error, its own or Fastify's, as an RFC 9457 problem with a stable code;
// an unknown route as 404 NOT_FOUND; a refusal that says when to come back carries Retry-After. A 5xx is logged (a
// 503 the code chose as a warning), never shown.
import { context } from '@opentelemetry/api';
import type { App } from './create-server.ts';
import { AppError, internal, notFound, payloadTooLarge, problemOf, retryAfterOf, validationFailed } from './errors.ts';
import { fieldErrors } from './validation.ts';

/** frameworkError maps the router's own errors (bad URL encoding, over-long path segment) to problems. */
export function frameworkError(error: { code?: string }): AppError {
  if (error.code === 'FST_ERR_BAD_URL')
    return new AppError('BAD_REQUEST', 400, 'The URL is not validly encoded.', {}, [
      { path: '(url)', message: 'must be validly percent-encoded UTF-8' },
    ]);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new AppError('URI_TOO_LONG', 414, 'A path segment is too long.');
  return internal();
}

export function installErrorAnswers(app: App, bodyLimit: number): void {
  app.setErrorHandler((error: unknown, req, reply) => {
    const appError = toAppError(error, bodyLimit);
    // A 503 the code chose (SERVICE_UNAVAILABLE: a dependency down) is a warning; any other 5xx is a bug.
    if (appError.status >= 500)
      context.with(req.traceContext ?? context.active(), () =>
        error instanceof AppError && error.status === 503
          ? req.log.warn({ code: appError.code, detail: appError.message }, 'request answered unavailable')
          : req.log.error({ err: error }, 'unhandled error'),
      );
    const traceId = req.span?.spanContext().traceId;
    const retryAfter = retryAfterOf(appError);
    if (retryAfter) reply.header('retry-after', retryAfter);
    return reply.code(appError.status).type('application/problem+json').send(problemOf(appError, traceId));
  });

  app.setNotFoundHandler((req, reply) => {
    const traceId = req.span?.spanContext().traceId;
    return reply
      .code(404)
      .type('application/problem+json')
      .send(problemOf(notFound(`No route for ${req.method} ${req.url.split('?')[0]}.`), traceId));
  });
}

/** The code the JSON parser gives a body with a __proto__ or constructor.prototype key. */
export const FORBIDDEN_KEY = 'BAZAAR_FORBIDDEN_JSON_KEY';

function toAppError(error: unknown, bodyLimit: number): AppError {
  if (error instanceof AppError) return error;
  const e = error as {
    code?: string;
    statusCode?: number;
    validation?: unknown[];
    validationContext?: string;
    message?: string;
  };
  if (e.validation) return validationFailed(fieldErrors(e.validation as never, e.validationContext));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return validationFailed(
        [{ path: '(body)', message: 'is not valid JSON' }],
        'The request body is not valid JSON.',
      );
    case FORBIDDEN_KEY:
      return validationFailed(
        [{ path: '(body)', message: 'has a __proto__ or constructor.prototype key' }],
        'The request body has a __proto__ or constructor.prototype key, which is never accepted.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Send the body as application/json.');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new AppError('BAD_REQUEST', e.statusCode, 'The request could not be understood.');
  return internal();
}
