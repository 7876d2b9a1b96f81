// SQL spans: inside a traced operation, a statement on its own becomes a client span of that trace, and a
// transaction one span for all its statements (their texts and count as attributes, the pool wait, BEGIN and COMMIT
// in its time): a span per statement cost more CPU than many of the statements did.
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Db, Tx } from './db.ts';

/** A transaction span's attribute: the ms it waited for a connection before its first statement could go. */
export const POOL_WAIT = 'db.client.connection.wait_ms';

/** How much of the SQL a span keeps. */
const MAX_TEXT = 300;
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

async function inSpan<T>(tracer: Tracer, name: string, system: string, run: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': system } });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => run(span));
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

// Background loops (relays, sweeps) have no active span and make no spans: only work that is part of a trace does.
function statement<T>(tracer: Tracer, system: string, sql: string, run: () => Promise<T>): Promise<T> {
  if (!trace.getSpan(context.active())) return run();
  const text = oneLine(sql);
  return inSpan(tracer, text.split(' ', 1)[0].toUpperCase(), system, (span) => {
    span.setAttribute('db.query.text', text.slice(0, MAX_TEXT));
    return run();
  });
}

function transaction<T>(db: Db, tracer: Tracer, system: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!trace.getSpan(context.active())) return db.transaction(fn);
  return inSpan(tracer, 'transaction', system, async (span) => {
    const texts: string[] = [];
    let count = 0;
    let length = 0;
    // The texts are kept until there are MAX_TEXT characters of them; the count goes on.
    const note = (sql: string) => {
      count++;
      if (length >= MAX_TEXT) return;
      const text = oneLine(sql);
      texts.push(text);
      length += text.length + 2;
    };
    const asked = performance.now();
    try {
      return await db.transaction((tx) => {
        // Until now the transaction waited for a connection of the pool (or PGlite's one): a tail's usual suspect.
        span.setAttribute(POOL_WAIT, performance.now() - asked);
        return fn({
          query: (sql, params) => {
            note(sql);
            return tx.query(sql, params);
          },
          defer: (sql, params, onRows) => {
            note(sql);
            return tx.defer(sql, params, onRows);
          },
          exec: (sql) => {
            note(sql);
            return tx.exec(sql);
          },
          notify: (channel, payload) => tx.notify(channel, payload),
        });
      });
    } finally {
      span.setAttributes({ 'db.query.text': texts.join('; ').slice(0, MAX_TEXT), 'db.statement.count': count });
    }
  });
}

export function traced(db: Db, tracer: Tracer): Db {
  const system = db.kind === 'pglite' ? 'pglite' : 'postgresql';
  return {
    ...db,
    kind: db.kind,
    query: (sql, params) => statement(tracer, system, sql, () => db.query(sql, params)),
    defer: (sql, params, onRows) => statement(tracer, system, sql, () => db.defer(sql, params, onRows)),
    exec: (sql) => statement(tracer, system, sql, () => db.exec(sql)),
    transaction: (fn) => transaction(db, tracer, system, fn),
    notify: (channel, payload) => db.notify(channel, payload),
    listen: (channel, fn) => db.listen(channel, fn),
    close: () => db.close(),
  };
}
