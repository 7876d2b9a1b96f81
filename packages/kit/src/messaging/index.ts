export { type AdapterOptions, BrokerUnavailableError } from './adapter-common.ts';
export type { Broker, DeadLetter, Handler } from './broker.ts';
export { createBroker } from './create-broker.ts';
export { type Envelope, envelope, type NewEvent } from './envelope.ts';
export { InProcessBroker } from './in-process-broker.ts';
export { type EffectHandler, inbox } from './inbox.ts';
export { enqueue, enqueueAll, OUTBOX_CHANNEL } from './outbox.ts';
export { OutboxRelay } from './outbox-relay.ts';
export { ensureMessagingTables } from './schema.ts';
