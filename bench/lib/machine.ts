// What the numbers were measured on: cores, CPU, memory, load, versions and the commit.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
