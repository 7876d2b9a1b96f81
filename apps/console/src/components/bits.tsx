// Small shared pieces: a page heading that takes the focus, a problem notice, the live-refresh line, a service tag,
// a status pill.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../lib/api.ts';
import { when, ZONE } from '../lib/format.ts';
import { tone } from '../lib/orders.ts';
import { colourOf } from '../lib/waterfall.ts';

/** PageTitle is the page's h1; it takes the focus when the page opens, so screen readers announce the new page. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Bazaar console`;
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function ProblemNotice({ error, what }: { error: ApiError | undefined; what: string }) {
  if (!error) return null;
  return (
    <p class="notice error" role="alert">
      Could not load {what}: {error.problem.detail} <span class="code">({error.problem.code})</span>
    </p>
  );
}

/** Freshness says when the figures were last refreshed, and lets the admin pause the refreshing. */
export function Freshness({
  updatedAt,
  live,
  onToggle,
  everyMs,
}: {
  updatedAt: number | undefined;
  live: boolean;
  onToggle: () => void;
  everyMs: number;
}) {
  return (
    <div class="freshness">
      <span class={`pulse ${live ? 'on' : ''}`} aria-hidden="true" />
      <span>
        {live ? `Refreshing every ${everyMs / 1000} s` : 'Paused'}
        {updatedAt ? ` · updated ${when(updatedAt)} ${ZONE}` : ''}
      </span>
      <button type="button" class="small" onClick={onToggle} aria-pressed={!live}>
        {live ? 'Pause' : 'Resume'}
      </button>
    </div>
  );
}

export function ServiceTag({ service }: { service: string }) {
  return (
    <span class="service-tag" style={{ '--service': colourOf(service) }}>
      {service}
    </span>
  );
}

/** StatusPill shows an order's, payment's or shipment's status, coloured by how things go. */
export function StatusPill({ status }: { status: string }) {
  return <span class={`pill ${tone(status)}`}>{status}</span>;
}

export function Missing({ missing }: { missing: { service: string; replica: string; reason: string }[] }) {
  if (missing.length === 0) return null;
  return (
    <p class="notice warn" role="status">
      Partial view: {missing.map((m) => `${m.service} (${m.replica}) ${m.reason}`).join('; ')}.
    </p>
  );
}
