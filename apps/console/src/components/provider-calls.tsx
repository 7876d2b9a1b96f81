// ProviderCalls: what payments asked a wallet provider for one payment, and what it answered, oldest first: the trail
// that says why a payment ended as it did (a timeout inquired about and reversed, a decline and its reason).
import type { ProviderAttempt } from '../lib/api.ts';
import { ms, when, ZONE } from '../lib/format.ts';
import { api, usePoll } from '../state.ts';
import { ProblemNotice } from './bits.tsx';

const OPERATION = { authorize: 'Authorise', inquire: 'Inquire', reverse: 'Reverse' } as const;
/** The results of a request that failed and was sent again: the row after it has what the call came to. */
const RETRIED = new Set(['server_error', 'connection']);

/** When the call was sent; a call recorded before payments timed calls has only when it was recorded. */
function Sent({ call }: { call: ProviderAttempt }) {
  if (call.startedAt) return <time dateTime={call.startedAt}>{when(call.startedAt)}</time>;
  return (
    <>
      <time dateTime={call.at}>{when(call.at)}</time> <span class="muted">(recorded)</span>
    </>
  );
}

export function ProviderCalls({ paymentId, version }: { paymentId: string; version: string }) {
  const polled = usePoll(() => api.providerCalls(paymentId), 0, [paymentId, version]);
  const calls = polled.data?.items ?? [];
  return (
    <div class="provider-calls">
      <h3 id={`calls-${paymentId}`}>Provider calls</h3>
      <ProblemNotice error={polled.error} what="the provider calls" />
      {polled.data && calls.length === 0 && <p class="muted">No provider was called for this payment.</p>}
      {calls.length > 0 && (
        <div class="table-wrap">
          <table class="provider-calls stack" aria-labelledby={`calls-${paymentId}`}>
            <thead>
              <tr>
                <th scope="col">Sent ({ZONE})</th>
                <th scope="col" class="num">
                  Took
                </th>
                <th scope="col">Call</th>
                <th scope="col">Result</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c, i) => (
                <tr key={`${c.at}-${i}`}>
                  <td data-label={`Sent (${ZONE})`} class="nowrap">
                    <Sent call={c} />
                  </td>
                  <td data-label="Took" class="num nowrap">
                    {c.durationMs === undefined ? '–' : ms(c.durationMs)}
                  </td>
                  <td data-label="Call">
                    {OPERATION[c.operation] ?? c.operation} · {c.provider}
                  </td>
                  <td data-label="Result">
                    {c.result}
                    {RETRIED.has(c.result) && <span class="muted"> (sent again)</span>}
                    {c.detail && <span class="muted"> ({c.detail})</span>}
                  </td>
                  <td data-label="Transaction">
                    <code class="id">{c.txnRef}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
