export { postgresOrSkip, freshPostgresDatabase } from './postgres.ts';
