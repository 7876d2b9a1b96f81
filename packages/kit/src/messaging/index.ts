export { type Envelope, type NewEvent, envelope } from './envelope.ts';
export type { Broker, DeadLetter, Handler } from './broker.ts';
export { InProcessBroker } from './in-process-broker.ts';
export { enqueue, OutboxRelay, OUTBOX_CHANNEL } from './outbox.ts';
export { inbox, type EffectHandler } from './inbox.ts';
export { ensureMessagingTables } from './schema.ts';
