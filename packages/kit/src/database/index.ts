export { decodeCursor, encodeCursor, type Page, pageOf } from './cursor.ts';
export {
  type DatabaseOptions,
  type Db,
  openDatabase,
  type PoolStats,
  type Row,
  type ServerListener,
  type Tx,
} from './db.ts';
export { migrate } from './migrate.ts';
export { isOutage } from './outage.ts';
export { type SharedPglite, sharedPglite } from './pglite.ts';
export { emptyClusterCached } from './pglite-start.ts';
export { ensureDatabase } from './postgres.ts';
export { POOL_WAIT, traced } from './traced.ts';
