// Services: each service's replicas, as the gateway sees them (taking traffic or ejected) and as /readyz says now.
import { useState } from 'preact/hooks';
import { Freshness, PageTitle, ProblemNotice, ServiceTag } from '../components/bits.tsx';
import type { Replica, ServiceHealth } from '../lib/api.ts';
import { bytes, ms, when, ZONE } from '../lib/format.ts';
import { api, usePoll } from '../state.ts';

const EVERY_MS = 2_000;

function verdict(r: Replica): { label: string; tone: 'ok' | 'warn' | 'bad' } {
  if (r.healthy && r.ready) return { label: 'Healthy', tone: 'ok' };
  if (r.healthy && !r.ready) return { label: r.status ? 'Not ready' : 'Unreachable', tone: 'warn' };
  return { label: 'Ejected', tone: 'bad' };
}

function ServiceCard({ service }: { service: ServiceHealth }) {
  const up = service.replicas.filter((r) => r.healthy && r.ready).length;
  return (
    <article class="card service-card" aria-labelledby={`svc-${service.name}`}>
      <header class="service-head">
        <h2 id={`svc-${service.name}`}>
          <ServiceTag service={service.name} />
        </h2>
        <span class={`pill ${up === service.replicas.length ? 'ok' : up === 0 ? 'bad' : 'warn'}`}>
          {up}/{service.replicas.length} ready
        </span>
      </header>
      <ul class="replicas">
        {service.replicas.map((r) => {
          const v = verdict(r);
          return (
            <li key={r.url}>
              <span class={`dot ${v.tone}`} aria-hidden="true" />
              <span class="replica-url">{r.url}</span>
              <span class={`state ${v.tone}`}>{v.label}</span>
              <span class="replica-facts">
                {r.self
                  ? 'serving this console'
                  : r.latencyMs !== undefined
                    ? `readyz ${ms(r.latencyMs)}`
                    : 'no answer'}
                {` · ${r.pending} in flight · checked ${when(r.checkedAt)} ${ZONE}`}
              </span>
              {r.failing && <span class="replica-failing">failing: {Object.keys(r.failing).join(', ')}</span>}
            </li>
          );
        })}
      </ul>
      {service.process && (
        <p class="muted small-print">
          pid {service.process.pid} · up {Math.round(service.process.uptimeSeconds / 60)} min ·{' '}
          {bytes(service.process.residentBytes)} resident
        </p>
      )}
    </article>
  );
}

export function Services() {
  const [live, setLive] = useState(true);
  const polled = usePoll(() => api.services(), EVERY_MS, [], live);
  const items = polled.data?.items ?? [];
  return (
    <>
      <div class="page-head">
        <PageTitle title="Services">Services and replicas</PageTitle>
        <Freshness updatedAt={polled.updatedAt} live={live} onToggle={() => setLive(!live)} everyMs={EVERY_MS} />
      </div>
      <ProblemNotice error={polled.error} what="the services" />
      {!polled.data && !polled.error && <p class="muted">Checking every replica…</p>}
      <div class="grid">
        {items.map((s) => (
          <ServiceCard key={s.name} service={s} />
        ))}
      </div>
    </>
  );
}
