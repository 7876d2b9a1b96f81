// One trace: its waterfall across services (bars by start and duration, indented by parent, a colour per service;
// a row opens to its attributes) and, below, every service's log lines for that trace.
import { useMemo, useState } from 'preact/hooks';
import { Missing, PageTitle, ProblemNotice, ServiceTag } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import { answerTone, answerWord } from '../lib/answers.ts';
import type { LogLine, Span, Trace } from '../lib/api.ts';
import { clock, fields, ms, when, ZONE } from '../lib/format.ts';
import { ordersOfTrace } from '../lib/order-traces.ts';
import { isTraceId, paths } from '../lib/routes.ts';
import { colourOf, kindName, type Layout, layout, type Row, tickLabel, withBatches } from '../lib/waterfall.ts';
import { api, usePoll } from '../state.ts';

/** Deeper rows stop moving right past this depth, so names keep their room. */
const MAX_INDENT = 10;

function Axis({ ticks, totalMs }: { ticks: number[]; totalMs: number }) {
  return (
    <div class="wf-head" aria-hidden="true">
      <span class="wf-head-label">Span</span>
      <div class="wf-axis">
        {ticks.map((t) => (
          <span key={t} class="wf-tick" style={{ left: `${(t / totalMs) * 100}%` }}>
            {tickLabel(t)}
          </span>
        ))}
      </div>
    </div>
  );
}

/** Says that a span is a batch's, or under one, that ran in another trace for this trace's call among others. */
function SharedBatch({ span }: { span: Span }) {
  const size = span.attributes['batch.size'];
  return (
    <p class="wf-shared">
      Shared work: this span is in trace{' '}
      <Link href={paths.trace(span.traceId)}>
        <code>{span.traceId.slice(0, 8)}</code>
      </Link>
      {typeof size === 'number'
        ? `, a batch that carried ${size} calls, this trace's among them.`
        : ", under a batch that carried this trace's call."}
    </p>
  );
}

function Attributes({ row, shared }: { row: Row<Span>; shared: boolean }) {
  const s = row.span;
  const facts: [string, string][] = [
    ['Service', s.service],
    ['Kind', kindName(s.kind)],
    ['Starts at', `+${ms(row.offsetMs)}`],
    ['Duration', ms(s.durationMs)],
    ['Status', s.status],
    ['Span id', s.spanId],
    ['Parent', s.parentSpanId ?? '(root)'],
  ];
  const attributes = Object.entries(s.attributes);
  return (
    <div class="wf-detail" id={`span-${s.spanId}`}>
      {shared && <SharedBatch span={s} />}
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        {attributes.map(([k, v]) => (
          <div key={k}>
            <dt>
              <code>{k}</code>
            </dt>
            <dd>
              <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function WaterfallRow({
  row,
  traceId,
  open,
  onToggle,
}: {
  row: Row<Span>;
  traceId: string;
  open: boolean;
  onToggle: () => void;
}) {
  const s = row.span;
  const shared = s.traceId !== traceId;
  const indent = Math.min(row.depth, MAX_INDENT);
  // The duration follows the bar; the track keeps a margin on its right for the last ones.
  const label = { left: `calc(${row.left + row.width}% + 4px)` };
  return (
    <li
      class={`wf-row${open ? ' open' : ''}${s.status === 'error' ? ' failed' : ''}${shared ? ' shared' : ''}`}
      data-service={s.service}
    >
      <button
        type="button"
        class="wf-label"
        aria-expanded={open}
        aria-controls={open ? `span-${s.spanId}` : undefined}
        onClick={onToggle}
        style={{ paddingLeft: `calc(${indent} * var(--indent) + 0.5rem)` }}
        title={`${s.service}: ${s.name}`}
      >
        <span class="wf-swatch" style={{ background: colourOf(s.service) }} aria-hidden="true" />
        <span class="wf-service">{s.service}</span>
        <span class="wf-name">{s.name}</span>
        {shared && <span class="wf-badge">shared</span>}
        <span class="visually-hidden">
          , {kindName(s.kind)} span, starts at {ms(row.offsetMs)}, takes {ms(s.durationMs)}
          {s.status === 'error' ? ', failed' : ''}
          {shared ? ', shared with other traces' : ''}
        </span>
      </button>
      <div class="wf-track" aria-hidden="true">
        <span
          class="wf-bar"
          data-service={s.service}
          style={{ left: `${row.left}%`, width: `${row.width}%`, background: colourOf(s.service) }}
        />
        <span class="wf-dur" style={label}>
          {ms(s.durationMs)}
        </span>
      </div>
      {open && <Attributes row={row} shared={shared} />}
    </li>
  );
}

function Waterfall({
  plan,
  traceId,
  selected,
  onSelect,
}: {
  plan: Layout<Span>;
  traceId: string;
  selected?: string;
  onSelect: (id?: string) => void;
}) {
  return (
    <div class="waterfall">
      <Axis ticks={plan.ticks} totalMs={plan.totalMs} />
      <ol class="wf-rows" aria-label="Spans, parents before their children">
        {plan.rows.map((row) => (
          <WaterfallRow
            key={row.span.spanId}
            row={row}
            traceId={traceId}
            open={selected === row.span.spanId}
            onToggle={() => onSelect(selected === row.span.spanId ? undefined : row.span.spanId)}
          />
        ))}
      </ol>
    </div>
  );
}

function Logs({ lines, selected }: { lines: LogLine[]; selected?: string }) {
  if (lines.length === 0)
    return <p class="muted">No log lines for this trace (services log requests and handled events at debug level).</p>;
  return (
    <div class="table-wrap">
      <table class="logs">
        <caption class="visually-hidden">Log lines of every service for this trace, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Time ({ZONE})</th>
            <th scope="col">Service</th>
            <th scope="col">Level</th>
            <th scope="col">Message</th>
            <th scope="col">Fields</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => (
            <tr key={`${line.time}-${i}`} class={selected && line.spanId === selected ? 'highlight' : ''}>
              <td class="nowrap mono">{clock(line.time)}</td>
              <td>{line.service && <ServiceTag service={line.service} />}</td>
              <td>
                <span class={`level ${line.level ?? ''}`}>{line.level}</span>
              </td>
              <td class="msg">{line.msg}</td>
              <td class="mono fields">{fields(line)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The most orders a trace page links to (a shared batch's trace can name many). */
const MAX_ORDERS = 10;

/** The orders this trace's log lines name, each a link to its page: the way back from a trace to the order. */
function TraceOrders({ lines }: { lines: LogLine[] }) {
  const orders = ordersOfTrace(lines);
  if (orders.length === 0) return null;
  const more = orders.length - MAX_ORDERS;
  return (
    <p class="trace-orders">
      {orders.length === 1 ? 'Order' : 'Orders'}{' '}
      {orders.slice(0, MAX_ORDERS).map((id, i) => (
        <span key={id}>
          {i > 0 && ', '}
          <Link href={paths.order(id)}>
            <code>{id}</code>
          </Link>
        </span>
      ))}
      {more > 0 && ` and ${more} more`}
    </p>
  );
}

/** How the trace's request was answered: its root span's HTTP status, and whether it failed. */
function Answer({ root }: { root: Trace['root'] }) {
  return (
    <p class="trace-answer">
      <code>{root.name}</code>
      {root.status === undefined ? (
        <span> ({root.service}, no HTTP answer)</span>
      ) : (
        <>
          {' '}
          answered <span class={`pill ${answerTone(root)}`}>{root.status}</span>
        </>
      )}
      {' · '}
      <strong>{answerWord(root)}</strong>
    </p>
  );
}

/** A span of a database query (the kit's SQL spans carry db.system.name). */
const isQuery = (s: Span) => s.attributes['db.system.name'] !== undefined;

/** TracePage: a trace's waterfall, or, for an address whose id is no trace id (a mangled link), says so. */
export function TracePage({ traceId }: { traceId: string }) {
  if (isTraceId(traceId)) return <TraceView traceId={traceId} />;
  return (
    <>
      <p class="crumbs">
        <Link href={paths.traces}>← Recent traces</Link>
      </p>
      <PageTitle title="Not a trace id">Trace not found</PageTitle>
      <p class="notice warn" role="status">
        “{traceId}” is not a trace id: one is 32 lowercase hexadecimal digits, like an answer’s <code>x-trace-id</code>.
      </p>
    </>
  );
}

function TraceView({ traceId }: { traceId: string }) {
  const trace = usePoll(() => api.trace(traceId), 0, [traceId]);
  const logs = usePoll(() => api.logs(traceId), 0, [traceId]);
  const [selected, setSelected] = useState<string>();
  const [queries, setQueries] = useState(true);
  const data = trace.data;
  // The services that worked for this trace, in shared batches too (their spans are drawn in the waterfall).
  const services = useMemo(
    () => [...new Set([...(data?.services ?? []), ...(data?.linked ?? []).map((s) => s.service)])].sort(),
    [data],
  );
  const queryCount = useMemo(() => [...(data?.spans ?? []), ...(data?.linked ?? [])].filter(isQuery).length, [data]);
  const plan = useMemo(
    () => layout(withBatches(traceId, data?.spans ?? [], data?.linked ?? []).filter((s) => queries || !isQuery(s))),
    [data, queries, traceId],
  );
  const reload = () => {
    trace.refresh();
    logs.refresh();
  };
  return (
    <>
      <p class="crumbs">
        <Link href={paths.traces}>← Recent traces</Link>
      </p>
      <div class="page-head">
        <PageTitle title={`Trace ${traceId.slice(0, 8)}`}>
          Trace <code class="trace-id">{traceId}</code>
        </PageTitle>
        <button type="button" class="small" onClick={reload}>
          Reload
        </button>
      </div>
      {trace.error?.problem.status === 404 ? (
        <p class="notice warn" role="status">
          No service holds spans of this trace: it may be older than what they keep, or the id may be mistyped.
        </p>
      ) : (
        <ProblemNotice error={trace.error} what="the trace" />
      )}
      {!data && !trace.error && <p class="muted">Gathering the spans from every service…</p>}
      {data && (
        <>
          <Answer root={data.root} />
          <p class="trace-summary">
            <strong>{ms(data.durationMs)}</strong> · {data.spans.length} spans
            {data.linked.length > 0 && ` (and ${data.linked.length} of batches shared with other traces)`} · started{' '}
            <time dateTime={data.startTime}>
              {when(data.startTime)} {ZONE}
            </time>{' '}
            · across
            <span class="legend">
              {services.map((s) => (
                <ServiceTag key={s} service={s} />
              ))}
            </span>
          </p>
          {logs.data && <TraceOrders lines={logs.data.items} />}
          <Missing missing={data.missing} />
          <section aria-labelledby="waterfall-title">
            <h2 id="waterfall-title">Waterfall</h2>
            <div class="wf-tools">
              <p class="muted hint">Select a span to see its attributes; its log lines are highlighted below.</p>
              {queryCount > 0 && (
                <label class="check">
                  <input type="checkbox" checked={queries} onChange={(e) => setQueries(e.currentTarget.checked)} />
                  Show database queries ({queryCount})
                </label>
              )}
            </div>
            <Waterfall plan={plan} traceId={traceId} selected={selected} onSelect={setSelected} />
          </section>
        </>
      )}
      <section aria-labelledby="logs-title" class="logs-section">
        <h2 id="logs-title">Log lines{logs.data ? ` (${logs.data.items.length})` : ''}</h2>
        <ProblemNotice error={logs.error} what="the log lines" />
        {logs.data && <Missing missing={logs.data.missing} />}
        {logs.data ? (
          <Logs lines={logs.data.items} selected={selected} />
        ) : (
          !logs.error && <p class="muted">Loading…</p>
        )}
      </section>
    </>
  );
}
