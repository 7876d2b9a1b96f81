// The in-process broker's dead letters on disk, one JSON line each, so a restart (the deploy of a fix) keeps them
// for the replay that the fix was for.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DeadLetter } from './broker.ts';

export const deadLetterFile = {
  read(path: string): DeadLetter[] {
    if (!existsSync(path)) return [];
    const lines = readFileSync(path, 'utf8').split('\n');
    // A line cut short by a crash mid-write is the only one that may not parse: it is left out.
    return lines.flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as DeadLetter] : [];
      } catch {
        return [];
      }
    });
  },

  append(path: string, letter: DeadLetter): void {
    appendFileSync(path, `${JSON.stringify(letter)}\n`);
  },

  /** Replaces the file with these letters whole: written beside it, then renamed over it. */
  write(path: string, letters: DeadLetter[]): void {
    writeFileSync(`${path}.next`, letters.map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(`${path}.next`, path);
  },
};
