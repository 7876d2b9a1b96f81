// Traces: the latest API requests (every trace starts at the gateway), refreshed live; or open one by its id.
import { useState } from 'preact/hooks';
import { Freshness, PageTitle, ProblemNotice } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import { OrderTraces } from '../components/order-traces.tsx';
import { answerTone } from '../lib/answers.ts';
import { ApiError } from '../lib/api.ts';
import { ms, when, ZONE } from '../lib/format.ts';
import { type OrderTrace, tracesOfOrder } from '../lib/order-traces.ts';
import { isOrderId, isTraceId, paths } from '../lib/routes.ts';
import { api, navigate, usePoll } from '../state.ts';

const EVERY_MS = 2_000;

/** Opens a trace by its id, or lists the traces an order appears in (its placing, its events, its courier steps). */
function OpenById() {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [found, setFound] = useState<{ orderId: string; traces: OrderTrace[] } | undefined>();
  const [failed, setFailed] = useState<ApiError | undefined>();
  const look = async (orderId: string) => {
    try {
      const { items } = await api.orderLogs(orderId);
      setFound({ orderId, traces: tracesOfOrder(items) });
    } catch (e) {
      if (e instanceof ApiError) setFailed(e);
      else throw e;
    }
  };
  return (
    <>
      <form
        class="open-trace"
        onSubmit={(e) => {
          e.preventDefault();
          const raw = text.trim();
          const id = raw.toLowerCase();
          setFound(undefined);
          setFailed(undefined);
          if (isTraceId(id)) navigate(paths.trace(id));
          else if (isOrderId(raw)) void look(raw);
          else
            setError('Enter a trace id (32 hexadecimal digits, as in any answer’s x-trace-id) or an order id (ord_…).');
        }}
      >
        <label for="trace-id">Open a trace by its id, or find an order’s</label>
        <div class="inline">
          <input
            id="trace-id"
            value={text}
            placeholder="x-trace-id, or an order id such as ord_…"
            spellcheck={false}
            autocomplete="off"
            onInput={(e) => {
              setText(e.currentTarget.value);
              setError('');
            }}
            aria-describedby={error ? 'trace-id-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
          <button type="submit">Open</button>
        </div>
        {error && (
          <p id="trace-id-error" class="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
      <ProblemNotice error={failed} what="the order’s log lines" />
      {found && <OrderTraces {...found} />}
    </>
  );
}

export function Traces() {
  const [live, setLive] = useState(true);
  // The console's own pages poll the API every few seconds: a failed request is soon pushed off the full list.
  const [failedOnly, setFailedOnly] = useState(false);
  const polled = usePoll(() => api.traces(50, failedOnly), EVERY_MS, [failedOnly], live);
  const items = polled.data?.items ?? [];
  return (
    <>
      <div class="page-head">
        <PageTitle title="Traces">Recent traces</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <OpenById />
      <label class="check">
        <input type="checkbox" checked={failedOnly} onChange={(e) => setFailedOnly(e.currentTarget.checked)} />
        Failed requests only (answered 4xx or 5xx)
      </label>
      <ProblemNotice error={polled.error} what="the traces" />
      {polled.data && items.length === 0 && (
        <p class="muted">
          {failedOnly
            ? 'No failed API requests among the latest.'
            : 'No API requests yet. Place an order in the storefront.'}
        </p>
      )}
      {polled.data && <Retention {...polled.data.retention} />}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="traces">
            <caption class="visually-hidden">The latest API requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started ({ZONE})</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Trace</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.spanId} class={t.error ? 'error-row' : ''}>
                  <td class="nowrap">
                    <time dateTime={t.startTime}>{when(t.startTime)}</time>
                  </td>
                  <td>
                    <span class={`method ${t.method.toLowerCase()}`}>{t.method}</span>{' '}
                    {/* The request opens its trace too: on a phone the trace column is off screen. */}
                    <Link href={paths.trace(t.traceId)} tabIndex={-1}>
                      <code class="path" title={`route ${t.route}`}>
                        {t.path}
                      </code>
                    </Link>
                  </td>
                  <td>
                    <span class={`pill ${answerTone(t)}`}>{t.status ?? '–'}</span>
                  </td>
                  <td class="num nowrap">{ms(t.durationMs)}</td>
                  <td>
                    <Link
                      href={paths.trace(t.traceId)}
                      aria-label={`Trace of ${t.method} ${t.path} at ${when(t.startTime)} ${ZONE}`}
                    >
                      <code>{t.traceId.slice(0, 12)}…</code>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** How far back a trace can be drawn: each process keeps its newest spans only. */
function Retention({ capacity, since }: { capacity: number; since?: string }) {
  return (
    <p class="muted retention">
      Each process keeps its newest {capacity.toLocaleString('en-US')} spans
      {since && (
        <>
          ; the gateway’s go back to <time dateTime={since}>{`${when(since)} ${ZONE}`}</time>
        </>
      )}
      . Older traces show in part or not at all; a collector (OTEL_EXPORTER_OTLP_ENDPOINT) keeps them all.
    </p>
  );
}
