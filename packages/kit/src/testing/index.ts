export { dropBrokerNamespace, dropNamespace } from '../namespace.ts';
export { brokerOrSkip, NATS_URL, RABBITMQ_URL } from './broker.ts';
export { freePortBlock, freePorts, isFree } from './ports.ts';
export { postgresOrSkip, scratchDatabases } from './postgres.ts';
export { REDIS_URL, redisOrSkip } from './redis.ts';
