// Summarises a V8 .cpuprofile (node --cpu-prof): self time by area (package, Node internals, GC) and the top frames.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './proc.ts';
import type { ProfileSummary } from './types.ts';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** The newest .cpuprofile in a directory. */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  return files.length ? join(dir, files.at(-1)!) : undefined;
}

/** Now on the clock V8's profiler stamps samples with (CLOCK_MONOTONIC, µs), to pick the measured window. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export function summarizeProfile(
  file: string,
  processName: string,
  window: { fromUs: number; toUs: number } | undefined = undefined,
  top = 15,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node: the sum of the time deltas of its samples (only those inside the window: not start-up).
  const self = new Map<number, number>();
  let t = profile.startTime;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const id = profile.samples[i];
    counted++;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const area = areaOf(functionName, url);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = fns.get(key) ?? { fn: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
  }
  const pct = (us: number) => Math.round((us / Math.max(total, 1)) * 1000) / 10;
  return {
    process: processName,
    durationS:
      Math.round(((window ? window.toUs - window.fromUs : profile.endTime - profile.startTime) / 1e6) * 100) / 100,
    samples: counted,
    busyS: Math.round((total / 1e6) * 100) / 100,
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, pct: pct(us) }))
      .filter((a) => a.pct >= 0.5),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ fn: f.fn, where: f.where, pct: pct(f.us) })),
    file: relative(root, file),
  };
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  if (path.startsWith(root)) return relative(root, path);
  return path;
}

/** The area a frame belongs to: its npm package, the Bazaar module, Node's internals, or V8 (GC, program). */
export function areaOf(functionName: string, url: string): string {
  if (url.startsWith('wasm://') || functionName.startsWith('wasm-function')) {
    // PostgreSQL compiled to WASM has thousands of functions; undici's llhttp parser a few hundred.
    const index = Number(/wasm-function\[(\d+)\]/.exec(functionName)?.[1] ?? 0);
    return index > 1500 ? 'PGlite: PostgreSQL in WASM' : 'WASM: undici llhttp (HTTP parser)';
  }
  if (!url) {
    if (['writev', 'writeBuffer', 'writeLatin1String', 'writeUtf8String', 'read'].includes(functionName))
      return 'native: socket I/O (writev, writeBuffer, writeLatin1String, read)';
    if (functionName === '(garbage collector)') return 'V8: garbage collection';
    if (functionName === '(program)') return 'V8: program (native, unattributed)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:')) {
    const m = /^node:internal\/([^/]+)/.exec(path);
    return `node: ${m ? m[1] : path.slice(5)}`;
  }
  const rel = relative(root, path);
  const m = /^(services\/[^/]+|packages\/[^/]+|apps\/[^/]+|bench)\//.exec(rel);
  return m ? `bazaar: ${m[1]}` : rel;
}
