export { decodeCursor, encodeCursor, type Page, pageOf } from './cursor.ts';
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
