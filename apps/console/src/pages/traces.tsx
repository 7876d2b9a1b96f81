// Traces: the latest API requests (every trace starts at the gateway), refreshed live; or open one by its id.
import { useState } from 'preact/hooks';
import { Freshness, PageTitle, ProblemNotice } from '../components/bits.tsx';
import { Link } from '../components/link.tsx';
import { ms } from '../lib/format.ts';
import { isTraceId, paths } from '../lib/routes.ts';
import { api, navigate, usePoll } from '../state.ts';

const EVERY_MS = 2_000;

function OpenById() {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      class="open-trace"
      onSubmit={(e) => {
        e.preventDefault();
        const id = text.trim().toLowerCase();
        if (!isTraceId(id)) {
          setError('A trace id is 32 hexadecimal digits, as in the x-trace-id header of any answer.');
          return;
        }
        navigate(paths.trace(id));
      }}
    >
      <label for="trace-id">Open a trace by id</label>
      <div class="inline">
        <input
          id="trace-id"
          value={text}
          placeholder="x-trace-id, e.g. 4bf92f3577b34da6a3ce929d0e0e4736"
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
  );
}

export function Traces() {
  const [live, setLive] = useState(true);
  const polled = usePoll(() => api.traces(50), EVERY_MS, [], live);
  const items = polled.data?.items ?? [];
  return (
    <>
      <div class="page-head">
        <PageTitle title="Traces">Recent traces</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <OpenById />
      <ProblemNotice error={polled.error} what="the traces" />
      {polled.data && items.length === 0 && <p class="muted">No API requests yet. Place an order in the storefront.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="traces">
            <caption class="visually-hidden">The latest API requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
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
                  <td class="nowrap">{new Date(t.startTime).toLocaleTimeString()}</td>
                  <td>
                    <span class={`method ${t.method.toLowerCase()}`}>{t.method}</span>{' '}
                    <code class="path" title={`route ${t.route}`}>
                      {t.path}
                    </code>
                  </td>
                  <td>
                    <span class={`pill ${t.error ? 'bad' : (t.status ?? 0) >= 400 ? 'warn' : 'ok'}`}>
                      {t.status ?? '–'}
                    </span>
                  </td>
                  <td class="num nowrap">{ms(t.durationMs)}</td>
                  <td>
                    <Link
                      href={paths.trace(t.traceId)}
                      aria-label={`Trace of ${t.method} ${t.path} at ${new Date(t.startTime).toLocaleTimeString()}`}
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
