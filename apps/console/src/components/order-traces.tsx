// OrderTraces: the traces an order appears in (its placing, its events, its courier steps), each a link to its page.
import { when, ZONE } from '../lib/format.ts';
import type { OrderTrace } from '../lib/order-traces.ts';
import { paths } from '../lib/routes.ts';
import { Link } from './link.tsx';

export function OrderTraces({ orderId, traces }: { orderId: string; traces: OrderTrace[] }) {
  return (
    <section aria-labelledby="order-traces" class="order-traces">
      <h2 id="order-traces">Traces of {orderId}</h2>
      {traces.length === 0 ? (
        <p class="muted" role="status">
          No log line names {orderId} (the services keep their latest lines only).
        </p>
      ) : (
        <ul>
          {traces.map((t) => (
            <li key={t.traceId}>
              <span class="nowrap">
                {t.startedAt ? <time dateTime={t.startedAt}>{`${when(t.startedAt)} ${ZONE}`}</time> : '–'}
              </span>{' '}
              <Link
                href={paths.trace(t.traceId)}
                aria-label={`Trace ${t.traceId} of ${orderId}: ${t.messages.join(', ')}`}
              >
                <code>{t.traceId.slice(0, 12)}…</code>
              </Link>{' '}
              <span class="muted">
                {t.messages.join(' · ')} ({t.services.join(', ')})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
