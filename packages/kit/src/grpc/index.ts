export {
  answered,
  attempt,
  batchOf,
  MAX_BATCH,
  type Outcome,
  outcomeMessage,
  refused,
  servePassing,
  unwrap,
} from './batch-outcomes.ts';
export { type BatcherOptions, createBatcher } from './batcher.ts';
export { noChannelz } from './channelz.ts';
export { createGrpcClient, type GrpcClient, type GrpcClientOptions } from './client.ts';
export { currentDeadline, runWithDeadline, withDeadline } from './deadline.ts';
export { Code, errorKeys, errorOf, errorOfRefusal, GrpcError, type Refusal, refusalOf, statusOf } from './errors.ts';
export { loadService } from './proto.ts';
export { type GrpcServer, type GrpcServerOptions, type Handler, startGrpcServer } from './server.ts';
export { checkMessage } from './validate.ts';
