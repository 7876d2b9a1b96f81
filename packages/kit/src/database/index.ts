export { type Db, type Tx, type Row, openDatabase, ensureDatabase, type DatabaseOptions } from './db.ts';
export { migrate } from './migrate.ts';
export { encodeCursor, decodeCursor } from './cursor.ts';
export { traced } from './traced.ts';
