// Track: anyone with a tracking number can follow a parcel, no account needed.
import { useEffect, useState } from 'preact/hooks';
import { Alert, Loading, StatusBadge, statusLabel, When } from '../components/bits.tsx';
import type { Shipment } from '../lib/api.ts';
import { ApiError, friendlyMessage, namesNothing } from '../lib/problems.ts';
import { trackPath } from '../lib/routes.ts';
import { api, markReady, navigate, useTitle } from '../state.ts';

export function Track({ trackingNumber }: { trackingNumber: string }) {
  useTitle(trackingNumber ? `Tracking ${trackingNumber}` : 'Track a parcel');
  const [text, setText] = useState(trackingNumber);
  const [shipment, setShipment] = useState<Shipment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    setText(trackingNumber);
    setShipment(null);
    setError(null);
    if (!trackingNumber) {
      markReady();
      return;
    }
    let live = true;
    setLoading(true);
    api
      .shipment(trackingNumber)
      .then((s) => live && setShipment(s))
      .catch(
        (e: unknown) =>
          live &&
          setError(
            e instanceof ApiError && namesNothing(e.problem)
              ? `No parcel has the tracking number ${trackingNumber}. Check it and try again.`
              : e instanceof ApiError
                ? friendlyMessage(e.problem)
                : String(e),
          ),
      )
      .finally(() => {
        if (!live) return;
        setLoading(false);
        markReady();
      });
    return () => {
      live = false;
    };
  }, [trackingNumber]);

  return (
    <>
      <h1>Track a parcel</h1>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const value = text.trim().toUpperCase();
          if (value) navigate(trackPath(value));
        }}
      >
        <div class="field">
          <label for="tracking-number">Tracking number</label>
          <p class="hint" id="tracking-hint">
            It is on your order page and in the courier’s SMS, like BEX123456789012.
          </p>
          <div class="input-row">
            <input
              id="tracking-number"
              name="trackingNumber"
              value={text}
              required
              autocomplete="off"
              spellcheck={false}
              aria-describedby="tracking-hint"
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <button type="submit" class="button">
              Track
            </button>
          </div>
        </div>
      </form>
      {loading && <Loading label="Looking up the parcel…" />}
      {error && <Alert>{error}</Alert>}
      {shipment && (
        <section class="card" aria-labelledby="shipment-title">
          <h2 id="shipment-title">
            {shipment.trackingNumber} <StatusBadge status={shipment.status} />
          </h2>
          <p>
            {shipment.courier} · to {shipment.city}
          </p>
          <ol class="timeline" aria-label="Parcel history">
            {[...shipment.history].reverse().map((h) => (
              <li key={h.status + h.at}>
                <strong>{statusLabel(h.status)}</strong> <When at={h.at} />
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
