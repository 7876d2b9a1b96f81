// One Bazaar per data directory: two processes on one PGlite would each keep their own idea of the database and
// ruin it. The lock is a file holding the owner's pid; a lock whose process is gone (a crash, kill -9) is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUse extends Error {}

// Directories this process holds: a lock with our own pid that is not among them was left by an earlier process
// that had the same pid (a container restarted with its volume).
const heldHere = new Set<string>();

/** lockDataDir claims the directory for this process, or throws DataDirInUse naming the process that holds it. */
export function lockDataDir(dataRoot: string): { release(): void } {
  mkdirSync(dataRoot, { recursive: true });
  const file = join(dataRoot, 'bazaar.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (holder === process.pid ? heldHere.has(file) : alive(holder))
        throw new DataDirInUse(
          `another Bazaar (pid ${holder}) is using ${dataRoot}: stop it first, or give this one its own DATA_DIR ` +
            `(if no such process is a Bazaar, delete ${file})`,
        );
      rmSync(file, { force: true }); // left by a process that died: ours now
    }
  }
  heldHere.add(file);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      heldHere.delete(file);
      rmSync(file, { force: true });
    },
  };
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, only not ours to signal
  }
}
