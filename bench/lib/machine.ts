// What the numbers were measured on: cores, CPU, memory, load, versions and the commit.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { root, which } from './proc.ts';

export type Machine = {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  nginx?: string;
  wrk?: string;
  postgres?: string;
  load1: number;
  commit: string;
  dirty: boolean;
};

const quiet = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root })
      .toString()
      .trim();
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    return (e.stderr?.toString() || e.stdout?.toString() || '').trim();
  }
};

export function commit(): string {
  return quiet('git', ['rev-parse', 'HEAD']) || 'unknown';
}

export function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpu = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  return {
    cores: availableParallelism(),
    cpu,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: quiet('uname', ['-sr']),
    nginx: which('nginx')
      ? spawnSync('nginx', ['-v'])
          .stderr.toString()
          .trim()
          .replace(/^nginx version:\s*/, '')
      : undefined,
    wrk: which('wrk') ? /wrk (\S+)/.exec(quiet('wrk', ['-v']))?.[1] : undefined,
    load1: Math.round(loadavg()[0] * 100) / 100,
    commit: commit(),
    dirty: quiet('git', ['status', '--porcelain', '--untracked-files=no']).length > 0,
  };
}

export const load1 = () => Math.round(loadavg()[0] * 100) / 100;

/**
 * How much of the machine other work takes: the percentage of all cores' time not idle over `ms`, sampled from
 * /proc/stat while nothing of the bench runs. Unlike the load average, which trails by minutes and so counts the
 * previous scenario's own processes, this sees only what is busy now. Undefined where /proc/stat is missing.
 */
export async function otherWorkPct(ms = 1000): Promise<number | undefined> {
  if (!existsSync('/proc/stat')) return undefined;
  const sample = () => {
    // user nice system idle iowait irq softirq steal; guest time, after these, is already counted in user and nice.
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  const start = sample();
  await new Promise((r) => setTimeout(r, ms));
  const end = sample();
  if (end.total === start.total) return undefined;
  return Math.round((1 - (end.idle - start.idle) / (end.total - start.total)) * 1000) / 10;
}

/**
 * The CPU's speed as this process sees it: MB/s of SHA-256 on one core for 300 ms. A virtual machine whose host is
 * busy runs slower without any load showing inside it; this figure, compared between runs, shows that.
 */
export function cpuSpeedMBps(): number {
  const block = Buffer.alloc(64 * 1024, 7);
  const until = performance.now() + 300;
  let bytes = 0;
  const started = performance.now();
  while (performance.now() < until) {
    createHash('sha256').update(block).digest();
    bytes += block.length;
  }
  return Math.round(bytes / 1e6 / ((performance.now() - started) / 1000));
}
