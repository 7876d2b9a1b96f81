// Messaging: the order sagas (orders by status, sagas by step, the ones retrying), each service's outbox, and the
// dead-letter queue with a way to put a letter back on its consumer's queue. Refreshed every 2 s.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Freshness, Missing, PageTitle, ProblemNotice, ServiceTag } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import { ApiError, type DeadLetter, type Messaging } from '../lib/api.ts';
import { orderOfEvent, traceOfEvent } from '../lib/dead-letters.ts';
import { ago, ms, when, ZONE } from '../lib/format.ts';
import { paths } from '../lib/routes.ts';
import { api, usePoll } from '../state.ts';

const EVERY_MS = 2_000;
const STATUSES = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];
const STEPS = ['RESERVE', 'AUTHORIZE', 'CONFIRM', 'COMPENSATE', 'CANCEL_ASKED', 'CANCEL', 'DONE'];

function Counts({ title, counts, order }: { title: string; counts: Record<string, number>; order: string[] }) {
  const keys = [...order, ...Object.keys(counts).filter((k) => !order.includes(k))];
  return (
    <div class="counts">
      <h3>{title}</h3>
      <dl>
        {keys.map((k) => (
          <div key={k} class={`count ${(counts[k] ?? 0) > 0 ? k.toLowerCase() : ''}`}>
            <dt>{k}</dt>
            <dd>{counts[k] ?? 0}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Sagas({ sagas }: { sagas: Messaging['sagas'] }) {
  if (!sagas) return <p class="notice warn">The orders service did not answer: no saga figures.</p>;
  // An older orders service sends the list only.
  const retrying = sagas.retryingCount ?? sagas.retrying.length;
  return (
    <>
      <div class="counts-row">
        <Counts title="Orders by status" counts={sagas.ordersByStatus} order={STATUSES} />
        <Counts title="Sagas by next step" counts={sagas.sagasByStep} order={STEPS} />
      </div>
      <p>
        <strong>{sagas.inFlight}</strong> saga{sagas.inFlight === 1 ? '' : 's'} in flight, <strong>{retrying}</strong>{' '}
        retrying a failed step
        {retrying > sagas.retrying.length ? ` (the newest ${sagas.retrying.length} below)` : ''}.
      </p>
      {sagas.retrying.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Sagas retrying a failed step</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Step</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Next attempt ({ZONE})</th>
              </tr>
            </thead>
            <tbody>
              {sagas.retrying.map((s) => (
                <tr key={s.orderId}>
                  <td>
                    <Link href={paths.order(s.orderId)}>
                      <code>{s.orderId}</code>
                    </Link>
                  </td>
                  <td>{s.step}</td>
                  <td class="num">{s.attempts}</td>
                  <td class="mono">{s.lastError ?? ''}</td>
                  <td class="nowrap">
                    <time dateTime={s.nextAttemptAt}>{when(s.nextAttemptAt)}</time>
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

function Outboxes({ services }: { services: Messaging['services'] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Outbox and dead letters per service</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col" class="num">
              Backlog
            </th>
            <th scope="col" class="num">
              Oldest waiting
            </th>
            <th scope="col" class="num">
              Published
            </th>
            <th scope="col" class="num">
              Dead letters
            </th>
            <th scope="col">Broker</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.service}>
              <th scope="row">
                <ServiceTag service={s.service} />
              </th>
              <td class={`num${s.outbox.backlog > 0 ? ' attention' : ''}`}>{s.outbox.backlog}</td>
              <td class="num">{s.outbox.backlog > 0 ? ms(s.outbox.oldestAgeMs) : '–'}</td>
              <td class="num">{s.outbox.published}</td>
              <td class={`num${s.deadLetters > 0 ? ' attention' : ''}`}>{s.deadLetters}</td>
              <td>{s.broker}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Where a dead letter leads: the trace that wrote its event (with every service's lines) and the order it is about. */
function LetterLinks({ letter }: { letter: DeadLetter }) {
  const traceId = traceOfEvent(letter.event);
  const orderId = orderOfEvent(letter.event);
  if (!traceId && !orderId) return null;
  return (
    <p class="letter-links">
      {traceId && (
        <Link href={paths.trace(traceId)} aria-label={`Trace that wrote ${letter.type} ${letter.eventId}`}>
          Its trace and log lines
        </Link>
      )}
      {orderId && (
        <Link href={paths.order(orderId)}>
          Order <code>{orderId}</code>
        </Link>
      )}
    </p>
  );
}

/** A dead letter is one event at one consumer. */
const letterKey = (d: DeadLetter) => `${d.consumer} ${d.eventId}`;

function DeadLetters({ letters, onReplayed }: { letters: DeadLetter[]; onReplayed: () => void }) {
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState('');
  const said = useRef<HTMLParagraphElement>(null);
  const list = useRef<HTMLUListElement>(null);
  // A replayed letter leaves the list with its button: the focus goes on to the next letter's Replay ('' for none:
  // to what was said), once the outcome is shown (an empty outcome is not displayed, so cannot take the focus).
  const [focusTo, setFocusTo] = useState<string>();
  useEffect(() => {
    if (focusTo === undefined) return;
    const button = focusTo && list.current?.querySelector<HTMLElement>(`[data-letter="${CSS.escape(focusTo)}"]`);
    (button || said.current)?.focus();
    setFocusTo(undefined);
  }, [focusTo]);
  const replay = async (d: DeadLetter) => {
    if (busy === letterKey(d)) return;
    setBusy(letterKey(d));
    try {
      await api.replay(d);
      setOutcome(`Replayed ${d.type} ${d.eventId} to ${d.consumer}.`);
      const at = letters.findIndex((l) => letterKey(l) === letterKey(d));
      const next = letters[at + 1] ?? letters[at - 1];
      setFocusTo(next ? letterKey(next) : '');
      onReplayed();
    } catch (err) {
      setOutcome(`Could not replay ${d.eventId}: ${err instanceof ApiError ? err.problem.detail : String(err)}`);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <>
      <p class="live-outcome" role="status" aria-live="polite" tabIndex={-1} ref={said}>
        {outcome}
      </p>
      {letters.length === 0 ? (
        <p class="muted">The dead-letter queue is empty: every event was handled.</p>
      ) : (
        <ul class="letters" ref={list}>
          {letters.map((d) => (
            <li key={`${d.consumer}-${d.eventId}`} class="card letter">
              <div class="letter-head">
                <strong>{d.type}</strong>
                <span>
                  for <code>{d.consumer}</code>
                </span>
                <span class="muted">
                  {d.attempts} attempts · {ago(d.at)}
                </span>
                {/* aria-disabled, not disabled: a disabled button drops the focus, and a refusal leaves it here. */}
                <button
                  type="button"
                  class="primary small"
                  data-letter={letterKey(d)}
                  onClick={() => replay(d)}
                  aria-disabled={busy === letterKey(d)}
                  aria-label={`Replay ${d.type} ${d.eventId} to ${d.consumer}`}
                >
                  {busy === letterKey(d) ? 'Replaying…' : 'Replay'}
                </button>
              </div>
              <p class="mono small-print">event {d.eventId}</p>
              <LetterLinks letter={d} />
              <p class="letter-error mono">{d.error}</p>
              <details>
                <summary>Event</summary>
                <pre>{JSON.stringify(d.event, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function MessagingPage() {
  const [live, setLive] = useState(true);
  const polled = usePoll(() => api.messaging(), EVERY_MS, [], live);
  const data = polled.data;
  return (
    <>
      <div class="page-head">
        <PageTitle title="Sagas and messaging">Sagas, outbox and dead letters</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <ProblemNotice error={polled.error} what="the messaging figures" />
      {!data && !polled.error && <p class="muted">Asking every service…</p>}
      {data && (
        <>
          <Missing missing={data.missing} />
          <section class="card" aria-labelledby="sagas-title">
            <h2 id="sagas-title">Order sagas</h2>
            <Sagas sagas={data.sagas} />
          </section>
          <section class="card" aria-labelledby="outbox-title">
            <h2 id="outbox-title">Outbox per service</h2>
            <Outboxes services={data.services} />
          </section>
          <section aria-labelledby="dead-title">
            <h2 id="dead-title">Dead letters ({data.deadLetters.length})</h2>
            <DeadLetters letters={data.deadLetters} onReplayed={polled.refresh} />
          </section>
        </>
      )}
    </>
  );
}
