export { postgresOrSkip, freshPostgresDatabase } from './postgres.ts';
export { brokerOrSkip, NATS_URL, RABBITMQ_URL } from './broker.ts';
