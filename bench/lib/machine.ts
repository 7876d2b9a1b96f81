// What the numbers were measured on: cores, CPU, memory, load, versions and the commit.
import { execFileSync, spawnSync } from 'node:child_process';
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
