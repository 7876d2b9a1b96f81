// Reading PromQL just well enough to check it against what the services export: the selectors an expression names,
// and whether each metric is used as its type allows (counters under rate, histogram buckets under
// histogram_quantile, gauges never under rate).

/** Prometheus' metadata API: metric family name → its type. */
export type Types = Map<string, string>;

export type Matcher = { label: string; op: string; value: string };
export type Selector = { metric: string; matchers: Matcher[] };

/** The selectors `name{label op "value", …}` an expression holds, bare names (`up`) included with no matchers. */
export function selectors(expr: string, types: Types): Selector[] {
  const found: Selector[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g))
    found.push({
      metric: m[1],
      matchers: [...m[2].matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(([, label, op, value]) => ({
        label,
        op,
        value,
      })),
    });
  for (const { name } of metricUses(expr, types))
    if (!found.some((s) => s.metric === name)) found.push({ metric: name, matchers: [] });
  return found;
}

/** What is wrong with the way an expression uses each metric's type; empty when nothing is. */
export function typeErrors(expr: string, types: Types): string[] {
  const errors: string[] = [];
  for (const { name, kind, before } of metricUses(expr, types)) {
    const underRate = /\b(rate|irate|increase)\(\s*$/.test(before);
    const inQuantile = /\bhistogram_quantile\(/.test(before);
    if ((kind === 'counter' || kind === 'count' || kind === 'sum') && !underRate)
      errors.push(`${name} (${kind}) is read without rate()/increase()`);
    if (kind === 'bucket' && !(underRate && inQuantile))
      errors.push(`${name} is read outside histogram_quantile(rate())`);
    if (kind === 'gauge' && underRate) errors.push(`${name} is a gauge under rate()`);
  }
  for (const m of expr.matchAll(/\bhistogram_quantile\(/g)) {
    const next = metricUses(expr.slice(m.index), types)[0];
    if (next?.kind !== 'bucket')
      errors.push(`histogram_quantile over ${next?.name ?? 'nothing'}, not a histogram's _bucket`);
  }
  return errors;
}

type Use = { name: string; kind: string; before: string };

/** Each metric an expression names, in order, with its kind (gauge, counter, bucket, count, sum) and what precedes it. */
function metricUses(expr: string, types: Types): Use[] {
  // Strings and the label lists of by/without/on/ignoring hold no metric names.
  const bare = expr
    .replace(/"[^"]*"/g, (s) => ' '.repeat(s.length))
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, (s) => ' '.repeat(s.length))
    .replace(/\{[^}]*\}/g, (s) => ' '.repeat(s.length));
  const uses: Use[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const kind = kindOf(m[0], types);
    if (kind) uses.push({ name: m[0], kind, before: bare.slice(0, m.index) });
  }
  return uses;
}

function kindOf(name: string, types: Types): string | undefined {
  if (name === 'up') return 'gauge';
  const own = types.get(name);
  if (own === 'counter' || own === 'gauge') return own;
  const part = /^(.*)_(bucket|count|sum)$/.exec(name);
  if (part && ['histogram', 'summary'].includes(types.get(part[1]) ?? '')) return part[2];
  return undefined;
}
