// SQL spans: every query made inside a traced operation becomes a client span of that trace.
import { context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Db, Tx } from './db.ts';

/** Background loops (relays, sweeps) have no active span and make no spans: only work that is part of a trace does. */
async function inSpan<T>(tracer: Tracer, sql: string, system: string, run: () => Promise<T>): Promise<T> {
  if (!trace.getSpan(context.active())) return run();
  const statement = sql.replace(/\s+/g, ' ').trim();
  const span = tracer.startSpan(statement.split(' ', 1)[0].toUpperCase(), {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': system, 'db.query.text': statement.slice(0, 300) },
  });
  try {
    return await context.with(trace.setSpan(context.active(), span), run);
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

function tracedTx(tx: Tx, tracer: Tracer, system: string): Tx {
  return {
    query: (sql, params) => inSpan(tracer, sql, system, () => tx.query(sql, params)),
    exec: (sql) => inSpan(tracer, sql, system, () => tx.exec(sql)),
  };
}

export function traced(db: Db, tracer: Tracer): Db {
  const system = db.kind === 'pglite' ? 'pglite' : 'postgresql';
  return {
    ...db,
    kind: db.kind,
    ...tracedTx(db, tracer, system),
    transaction: (fn) => db.transaction((tx) => fn(tracedTx(tx, tracer, system))),
    listen: (channel, fn) => db.listen(channel, fn),
    close: () => db.close(),
  };
}
