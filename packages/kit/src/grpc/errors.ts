// Our errors over gRPC: an AppError's HTTP status picks the status code; its stable code and problem ride along.
import { status as Code, Metadata, type StatusObject } from '@grpc/grpc-js';
import { UpstreamError } from '../http/client.ts';
import { AppError, internal, problemOf } from '../server/errors.ts';

export { Code };

/** Metadata keys of a refusal: the stable code, its HTTP status, and the problem document (JSON). */
export const errorKeys = { code: 'x-error-code', status: 'x-error-status', problem: 'x-problem-bin' } as const;

const codeOfHttp: Record<number, Code> = {
  400: Code.INVALID_ARGUMENT,
  401: Code.UNAUTHENTICATED,
  403: Code.PERMISSION_DENIED,
  404: Code.NOT_FOUND,
  409: Code.FAILED_PRECONDITION, // a business refusal: OUT_OF_STOCK, PAYMENT_NOT_CAPTURABLE...
  422: Code.FAILED_PRECONDITION,
  429: Code.RESOURCE_EXHAUSTED,
  503: Code.UNAVAILABLE,
  504: Code.DEADLINE_EXCEEDED,
};
const httpOfCode = Object.fromEntries(Object.entries(codeOfHttp).map(([http, code]) => [code, Number(http)])) as Record<
  number,
  number
>;

/** The gRPC status code for an AppError's HTTP status. */
const grpcCodeOf = (status: number): Code =>
  codeOfHttp[status] ?? (status >= 500 ? Code.INTERNAL : Code.FAILED_PRECONDITION);

/** statusOf answers a failed call; anything but an AppError is INTERNAL and says nothing of what went wrong. */
export function statusOf(err: unknown, traceId?: string): StatusObject {
  const e = err instanceof AppError ? err : internal();
  const refusal = refusalOf(e, traceId);
  const metadata = new Metadata();
  metadata.set(errorKeys.code, refusal.code);
  metadata.set(errorKeys.status, String(refusal.status));
  metadata.set(errorKeys.problem, refusal.problem);
  return { code: grpcCodeOf(refusal.status), details: `${e.code}: ${e.message}`, metadata };
}

/** A gRPC call failed: `status` and `problem` read as a REST UpstreamError's would, `grpcCode` is what came back. */
export class GrpcError extends UpstreamError {
  readonly grpcCode: Code;
  constructor(grpcCode: Code, status: number, message: string, problem?: Record<string, unknown>) {
    super(status, message, problem);
    this.grpcCode = grpcCode;
  }
}

/** The problem document a refusal carries, or undefined when there is none or it is not JSON. */
function problemIn(raw: Buffer | string | undefined): Record<string, unknown> | undefined {
  try {
    return raw ? JSON.parse(raw.toString()) : undefined;
  } catch {
    return undefined;
  }
}

/** errorOf reads a failed call's status (and its problem, when the service refused) into a GrpcError. */
export function errorOf(upstream: string, err: { code: Code; details: string; metadata?: Metadata }): GrpcError {
  const problem = problemIn(err.metadata?.get(errorKeys.problem)[0]);
  const status = Number(problem?.status) || httpOfCode[err.code] || 502;
  return new GrpcError(err.code, status, `${upstream} answered ${Code[err.code]}: ${err.details}`, problem);
}

/** One item's refusal inside a batch answer (the Refusal message): what statusOf sends for a call made alone. */
export type Refusal = { code: string; status: number; problem: Buffer };

/** refusalOf answers one item of a batch that failed; anything but an AppError is INTERNAL and says nothing more. */
export function refusalOf(err: unknown, traceId?: string): Refusal {
  const e = err instanceof AppError ? err : internal();
  return { code: e.code, status: e.status, problem: Buffer.from(JSON.stringify(problemOf(e, traceId))) };
}

/** errorOfRefusal reads one item's refusal into the GrpcError the same call made alone would have thrown. */
export function errorOfRefusal(upstream: string, refusal: Refusal): GrpcError {
  const problem = problemIn(refusal.problem);
  const code = grpcCodeOf(refusal.status);
  const detail = typeof problem?.detail === 'string' ? problem.detail : refusal.code;
  const status = Number(problem?.status) || refusal.status;
  return new GrpcError(code, status, `${upstream} answered ${Code[code]}: ${refusal.code}: ${detail}`, problem);
}
