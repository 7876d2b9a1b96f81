// What the image holds, worked out without a container engine: the Dockerfile's instructions, and which files of the
// repository pass .dockerignore into the build context (the runtime image copies the whole filtered context).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type Instruction = { keyword: string; args: string; stage: number };

/** parseDockerfile: one entry per instruction, continuation lines joined, comments dropped; `stage` counts FROMs. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) continue;
    const [keyword, ...rest] = pending.trim().split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
    if (instruction.keyword === 'FROM') instruction.stage = ++stage;
    out.push(instruction);
    pending = '';
  }
  return out;
}

/** The exec form of CMD/ENTRYPOINT/HEALTHCHECK CMD as an array, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.slice(args.indexOf('['));
  if (!json.startsWith('[')) return undefined;
  return JSON.parse(json) as string[];
}

type Pattern = { regex: RegExp; negated: boolean };

/** A .dockerignore matcher with BuildKit's rules: Go-style globs, `**`, `!` exceptions, last match wins, parents count. */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns: Pattern[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1).trim();
    line = line.replace(/^\/+/, '').replace(/\/+$/, '');
    patterns.push({ regex: globToRegex(line), negated });
  }
  return (path) => {
    const candidates = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { regex, negated } of patterns) if (candidates.some((c) => regex.test(c))) excluded = !negated;
    return excluded;
  };
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        out += '(?:.*/)?';
      } else out += '.*';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Every file of the repository that reaches the build context (node_modules and .git are never walked). */
export function contextFiles(repo: string): Set<string> {
  const ignored = dockerignore(readFileSync(join(repo, '.dockerignore'), 'utf8'));
  const files = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const path = relative(repo, full).split(sep).join('/');
        if (!ignored(path)) files.add(path);
      }
    }
  };
  walk(repo);
  return files;
}
