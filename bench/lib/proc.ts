// Processes for the bench: spawning servers (on ports from @bazaar/kit/testing's freePorts), waiting for them, and reading their CPU time and memory
// from /proc (the whole process tree, so `bazaar up --cluster`'s children count).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');
export const cli = join(root, 'apps/cli/bin/bazaar.js');

export type Proc = {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
};

/** spawnProc starts a command, keeping the last 64 KiB of its output for error messages. */
export function spawnProc(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Proc {
  let output = '';
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 65_536) output = output.slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Every process of the tree seen while it ran, with its command line (so a reused pid is never signalled).
  const seen = new Map<number, string>();
  const watch = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    for (const p of processTree(child.pid)) if (!seen.has(p.pid)) seen.set(p.pid, cmdline(p.pid));
  };
  const watcher = setInterval(watch, 2000);
  watcher.unref();
  return {
    name,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      // The whole tree: `bazaar up --cluster`'s services must not outlive it, even when it died first (they are
      // then orphans, so the tree is the one watched while it lived).
      watch();
      clearInterval(watcher);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      const alive = () =>
        [...seen].filter(([pid, cmd]) => pid !== child.pid && cmdline(pid) === cmd).map(([pid]) => pid);
      const kill = (pid: number, sig: NodeJS.Signals) => {
        try {
          process.kill(pid, sig);
        } catch {
          // gone in the meantime
        }
      };
      for (const pid of alive()) kill(pid, signal);
      for (const deadline = Date.now() + graceMs; alive().length > 0 && Date.now() < deadline; ) await sleep(100);
      for (const pid of alive()) kill(pid, 'SIGKILL');
    },
  };
}

/** spawnNode runs a TypeScript file (or the CLI) with this Node (24: type stripping). */
export function spawnNode(
  name: string,
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  nodeFlags: string[] = [],
): Proc {
  return spawnProc(name, process.execPath, [...nodeFlags, script, ...args], env);
}

/** waitFor polls a URL until it answers `status` (any status when undefined); throws with the process's output. */
export async function waitFor(
  url: string,
  proc: Proc | null,
  timeoutMs = 120_000,
  status: number | null = 200,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (proc && proc.child.exitCode !== null)
      throw new Error(
        `${proc.name} exited (code ${proc.child.exitCode}) before ${url} answered:\n${proc.output().slice(-4000)}`,
      );
    const got = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status;
      },
      () => 0,
    );
    if (got !== 0 && (status === null || got === status)) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(
        `${url} did not answer ${status ?? 'at all'} within ${timeoutMs / 1000} s:\n${proc?.output().slice(-4000) ?? ''}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
const PAGE = 4096;

type Stat = { pid: number; ppid: number; comm: string; cpuS: number; rssBytes: number };

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' ');
    // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24.
    return {
      pid,
      ppid: Number(f[1]),
      comm,
      cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK,
      rssBytes: Number(f[21]) * PAGE,
    };
  } catch {
    return undefined;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** The process and all its descendants, as they are now. */
export function processTree(pid: number): Stat[] {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const self = stats.find((s) => s.pid === pid);
  if (!self) return [];
  const tree: Stat[] = [];
  const queue = [self];
  while (queue.length) {
    const s = queue.shift()!;
    tree.push(s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) of processes, keyed by pid, so a delta survives processes coming and going. */
export type CpuSnapshot = Map<number, number>;

export function cpuSnapshot(pids: number[]): CpuSnapshot {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) m.set(pid, s.cpuS);
  }
  return m;
}

/** CPU seconds spent between two snapshots: processes new in `after` count from zero. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

/**
 * Context switches of each process's main thread so far (voluntary and not), keyed by pid: how often its event loop
 * went to sleep and was woken again. Each wake-up costs far more than the work it brings on some virtual machines.
 */
export function switchesSnapshot(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    const count = statusFields(pid);
    if (count) m.set(pid, count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches'));
  }
  return m;
}

export function treeCpu(pid: number): CpuSnapshot {
  return new Map(processTree(pid).map((s) => [s.pid, s.cpuS]));
}

/** Resident memory of a process tree, in bytes (VmRSS of each; shared pages count once per process). */
export function treeRss(pid: number): number {
  return processTree(pid).reduce((sum, s) => sum + s.rssBytes, 0);
}

/**
 * The peak resident memory of a process tree: VmHWM (each process's high-water mark) summed. What a machine must
 * have: resident memory right at ready is a moment of it, and it swings by hundreds of MiB as start-up's garbage
 * is collected.
 */
export function treePeakRss(pid: number): number {
  return processTree(pid).reduce((sum, s) => sum + (statusFields(s.pid)?.('VmHWM') ?? 0) * 1024, 0);
}

/** The numeric fields of /proc/<pid>/status by name (kB for memory; 0 when absent), or undefined when it has gone. */
function statusFields(pid: number): ((name: string) => number) | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // the process has gone
  }
  return (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

/** Pids of processes with this command name (e.g. beam.smp), for the shared servers' CPU. */
export function pidsByName(comm: string): number[] {
  return allStats()
    .filter((s) => s.comm === comm)
    .map((s) => s.pid);
}

export function which(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const path = join(dir, binary);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
