// What `bazaar --version` prints: the release, the commit when run from a git checkout, and the Node it runs on.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');

export function versionLine(): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return `bazaar ${version}${commitOf(root)}, Node ${process.version}`;
}

/** ` (commit abc1234)` in a checkout, with `+changes` when it has uncommitted ones; nothing in an image or a tarball. */
function commitOf(dir: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return ` (commit ${commit}${dirty ? '+changes' : ''})`;
  } catch {
    return '';
  }
}
