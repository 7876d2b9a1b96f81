export { decodeCursor, encodeCursor } from './cursor.ts';
export {
  type DatabaseOptions,
  type Db,
  ensureDatabase,
  openDatabase,
  type PoolStats,
  type Row,
  type Tx,
} from './db.ts';
export { migrate } from './migrate.ts';
export { traced } from './traced.ts';
