// One catalogue shape for errors: a stable UPPER_SNAKE code, an HTTP status, and RFC 9457 problem documents.

export type FieldError = { path: string; message: string };

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly errors?: FieldError[];

  constructor(
    code: string,
    status: number,
    detail: string,
    extra: Record<string, unknown> = {},
    errors?: FieldError[],
  ) {
    super(detail);
    this.code = code;
    this.status = status;
    this.extra = extra;
    this.errors = errors;
  }
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
};

/** retryAfterOf is the Retry-After header value of a refusal that says when to come back (`extra.retryAfter`, s). */
export function retryAfterOf(error: AppError): string | undefined {
  const seconds = error.extra.retryAfter;
  return typeof seconds === 'number' ? String(seconds) : undefined;
}

export function problemOf(error: AppError, traceId?: string): Problem {
  return {
    ...error.extra,
    type: `https://bazaar.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(traceId ? { traceId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

// The generic codes every service shares; each service adds its own beside its domain.
export const validationFailed = (errors: FieldError[], detail = 'The request is not valid.') =>
  new AppError('VALIDATION_FAILED', 400, detail, {}, errors);
export const unauthenticated = (detail = 'A valid bearer token is required.') =>
  new AppError('UNAUTHENTICATED', 401, detail);
export const forbidden = (detail = 'Your role may not do this.') => new AppError('FORBIDDEN', 403, detail);
export const notFound = (detail = 'No such resource.') => new AppError('NOT_FOUND', 404, detail);
export const payloadTooLarge = (limit: number) =>
  new AppError('PAYLOAD_TOO_LARGE', 413, `The request body is larger than ${limit} bytes.`);
export const unavailable = (detail: string, extra: { retryAfter?: number } = {}) =>
  new AppError('SERVICE_UNAVAILABLE', 503, detail, extra);
export const internal = () => new AppError('INTERNAL', 500, 'Something went wrong on our side.');
