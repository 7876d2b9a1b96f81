// What a new PGlite database starts from. initdb is most of a new database's start-up (seconds of WASM), and its
// result, an empty cluster, depends only on PGlite's build and our settings: it is made once, kept as a tar archive
// and unpacked in a cache directory (embedded mode's BAZAAR_CACHE_DIR), and every new database starts as a copy of it.
import { createHash, randomUUID } from 'node:crypto';
import {
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';

// A PGlite's WASM heap never shrinks, and embedded mode's one database serves five services (tests start one per
// service): PostgreSQL's default 128 MB of shared buffers would be most of the process. A shop's working set fits in
// far less, and every start clears the buffers: 8 MB rather than 16 took about 0.3 s of CPU off a start here.
const PGLITE_SETTINGS = [
  'shared_buffers=8MB',
  'wal_buffers=512kB',
  'temp_buffers=2MB',
  'work_mem=2MB',
  'maintenance_work_mem=16MB',
  // PGlite is one backend: slots and lock tables for a hundred connections are memory that every start clears.
  'max_connections=5',
];
export const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])];

const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));

// Every PGlite in a process runs the same PostgreSQL build: compile its WASM and read its file-system bundle once,
// rather than once per database (PGlite would, for the databases started side by side).
let artifacts: Promise<{ pgliteWasmModule: WebAssembly.Module; fsBundle: Blob }> | undefined;
export function sharedArtifacts() {
  artifacts ??= (async () => {
    const [wasm, bundle] = await Promise.all([
      readFile(new URL('pglite.wasm', dist)),
      readFile(new URL('pglite.data', dist)),
    ]);
    return { pgliteWasmModule: await WebAssembly.compile(wasm), fsBundle: bundleOf(bundle) };
  })();
  return artifacts;
}

// PGlite asks fsBundle for nothing but arrayBuffer(). A Blob answers it by reading itself in chunks and joining
// them, about 50 ms a database here; a copy of the bytes already read takes about 1 ms. Each database gets its own
// copy, as its file system may keep parts of it.
function bundleOf(bytes: Buffer): Blob {
  const arrayBuffer = async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { arrayBuffer } as unknown as Blob;
}

/** The empty cluster's file in the cache directory: named by PGlite's version and our settings. */
function cacheFile(dir: string): string {
  const version = JSON.parse(readFileSync(new URL('../package.json', dist), 'utf8')).version as string;
  const key = createHash('sha256')
    .update(`${version}\n${startParams.join(' ')}`)
    .digest('hex')
    .slice(0, 16);
  return join(dir, `pglite-empty-cluster-${key}.tar`);
}

async function makeEmptyCluster(): Promise<Blob> {
  const lite = await PGlite.create('memory://', { ...(await sharedArtifacts()), startParams });
  const blob = await lite.dumpDataDir('none');
  await lite.close();
  return blob;
}

/** Whether the cache holds this PGlite's empty cluster: when not, the first new database waits for initdb. */
export const emptyClusterCached = (cacheDir: string): boolean => existsSync(cacheFile(cacheDir));

let emptyCluster: Promise<Blob> | undefined;
/** The empty cluster as PGlite's tar archive: from the cache, or made now and cached (written whole, then renamed). */
export function template(cacheDir: string | undefined): Promise<Blob> {
  emptyCluster ??= (async () => {
    const file = cacheDir ? cacheFile(cacheDir) : undefined;
    if (file && existsSync(file)) return new Blob([readFileSync(file)]);
    const blob = await makeEmptyCluster();
    if (file) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        const partial = `${file}.${randomUUID()}.partial`;
        writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
        renameSync(partial, file);
        pruneOtherClusters(dirname(file), basename(file, '.tar'));
      } catch {
        // A cache that cannot be written only means the next process runs initdb again.
      }
    }
    return blob;
  })();
  return emptyCluster;
}

/** Removes the empty clusters of other PGlite versions or settings from the cache (40 MB each, twice). */
function pruneOtherClusters(dir: string, current: string): void {
  for (const name of readdirSync(dir))
    if (name.startsWith('pglite-empty-cluster-') && !name.startsWith(current))
      rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * Puts a copy of the empty cluster at dataDir: copied from the cluster kept unpacked in the cache directory (the
 * kernel copies its 40 MB in about 0.1 s), or with no cache unpacked from the archive (about 1 s). PGlite itself
 * would unpack it through its WASM file system, file by file, several seconds for each database. Either way it is
 * made beside the directory and renamed into place, so a crash half-way leaves no half-made database behind.
 */
export async function unpackTemplate(dataDir: string, cacheDir: string | undefined): Promise<void> {
  const staging = `${dataDir}.unpacking`;
  rmSync(staging, { recursive: true, force: true });
  const unpacked = cacheDir ? await unpackedTemplate(cacheDir) : undefined;
  if (unpacked) await copyTree(unpacked, staging);
  else await untar(await template(cacheDir), staging);
  if (existsSync(dataDir)) rmdirSync(dataDir); // only an empty directory: anything else is not ours to replace
  renameSync(staging, dataDir);
}

let unpackedDir: Promise<string | undefined> | undefined;
/** The empty cluster unpacked in the cache directory beside its archive, made once; undefined if it cannot be. */
function unpackedTemplate(cacheDir: string): Promise<string | undefined> {
  unpackedDir ??= (async () => {
    const dir = cacheFile(cacheDir).replace(/\.tar$/, '');
    if (existsSync(join(dir, 'PG_VERSION'))) return dir;
    const partial = `${dir}.${randomUUID()}.partial`;
    try {
      await untar(await template(cacheDir), partial);
      renameSync(partial, dir);
    } catch {
      rmSync(partial, { recursive: true, force: true });
    }
    // Another process may have renamed its copy into place first: that one is as good.
    return existsSync(join(dir, 'PG_VERSION')) ? dir : undefined;
  })();
  return unpackedDir;
}

/**
 * Copies a directory tree, its files side by side on libuv's threads, so that the thread that runs JavaScript (and
 * the other databases starting) goes on meanwhile: fs.cp walks and copies one entry at a time (five databases took
 * 1.1-1.5 s that way here), and cpSync holds the JavaScript thread for the whole copy. Each file is a clone where the
 * file system shares blocks until they are written (btrfs, XFS), else a copy made in the kernel.
 */
async function copyTree(from: string, to: string): Promise<void> {
  mkdirSync(to, { recursive: true });
  const files: string[] = [];
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    const path = relative(from, join(entry.parentPath, entry.name));
    if (entry.isDirectory()) mkdirSync(join(to, path), { recursive: true });
    else files.push(path);
  }
  await Promise.all(files.map((path) => copyFile(join(from, path), join(to, path), constants.COPYFILE_FICLONE)));
}

async function untar(archive: Blob, into: string): Promise<void> {
  mkdirSync(into, { recursive: true });
  // PGlite's archive names its files from the root (/base/1/…): tar unpacks them below `into` and says so in a
  // TAR_ENTRY_INFO warning, the one warning expected here.
  const problems: string[] = [];
  const { extract } = await import('tar'); // only a new database needs it
  const onwarn = (code: string, message: string) => void (code === 'TAR_ENTRY_INFO' || problems.push(message));
  await pipeline(Readable.fromWeb(archive.stream() as never), extract({ cwd: into, onwarn }));
  if (problems.length > 0) throw new Error(`could not unpack an empty database into ${into}: ${problems.join('; ')}`);
}
