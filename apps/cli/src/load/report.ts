// The summary table `bazaar load` prints at the end.
import { describeMix } from './options.ts';
import { type ActionSummary, fmtMs, type LoadSummary } from './runner.ts';

export function formatSummary(s: LoadSummary): string {
  const lines: string[] = [];
  const model = s.model === 'open' ? `open model, ${s.rate} actions/s` : `closed model, ${s.users} virtual users`;
  const ran = s.interrupted
    ? `interrupted after ${s.ranS} s of ${s.durationS} s (${s.elapsedS} s with the last answers)`
    : `${s.durationS} s (${s.elapsedS} s with the last answers)`;
  lines.push(`bazaar load: ${s.url}, ${model}, ${ran}, ${s.customers} customers`);
  lines.push(`mix: ${describeMix(s.mix)}`);
  lines.push('');
  // Actions, not requests: a sign-up is two requests (sign up, log in), counted once.
  const header = ['action', 'count', 'ok', 'actions/s', 'p50', 'p95', 'p99', 'max', 'errors'];
  const rows = Object.entries(s.actions).map(([name, a]) => row(name, a!));
  rows.push(row('total', s.total));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(fmt(header));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(0, -1)) lines.push(fmt(r));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  lines.push(fmt(rows.at(-1)!));
  if (s.late > 0) lines.push(`actions/s is over the ${s.ranS} s run; count also has the ${s.late} that ended after it`);

  const errors = Object.entries(s.errors);
  if (errors.length > 0) {
    lines.push('');
    lines.push('errors by status and code:');
    const w = Math.max(...errors.map(([k]) => k.length));
    for (const [key, n] of errors) lines.push(`  ${key.padEnd(w)}  ${n}`);
  }
  if (s.dropped > 0) lines.push(`\n${s.dropped} arrivals dropped (client saturated)`);
  if (s.unfinished > 0) lines.push(`${s.unfinished} actions still unanswered at the end were not counted`);
  for (const hint of s.hints) lines.push(`\nhint: ${hint}`);
  return lines.join('\n');
}

function row(name: string, a: ActionSummary): string[] {
  const errors = Object.entries(a.errors)
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
  return [
    name,
    String(a.count),
    String(a.ok),
    a.rps.toFixed(1),
    fmtMs(a.p50),
    fmtMs(a.p95),
    fmtMs(a.p99),
    fmtMs(a.max),
    errors || '-',
  ];
}
