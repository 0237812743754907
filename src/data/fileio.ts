/** Small synchronous file helpers: ranged reads from a handle, and writes that never leave half a file behind. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Reads exactly `length` bytes at `position`, or throws naming the file when it ends first. */
export function readRange(fd: number, position: number, length: number, file: string): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`${file}: unexpected end of file at byte ${position + got} (needed ${length} bytes from byte ${position})`);
    got += n;
  }
  return buf;
}

/** A temp file older than this is removed even when its process id is in use again. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

/** True while process `pid` exists (it may belong to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Files named `<prefix><pid>-<time>` in `dir` left by processes that no longer run (killed mid-write), or older
 * than a day: never a live writer's file.
 */
export function staleTempFiles(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)-(\d+)$/.exec(n.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    const dead = pid !== process.pid && !processAlive(pid);
    if (dead || Date.now() - Number(m[2]) > STALE_AFTER_MS) out.push(path.join(dir, n));
  }
  return out;
}

/** Removes stale temp files (best effort: a file that cannot be removed is left for next time). */
export function removeStaleTempFiles(dir: string, prefix: string): void {
  for (const f of staleTempFiles(dir, prefix)) fs.rmSync(f, { force: true });
}

/** The prefix of `file`'s temp files: `.<name>.tmp-`, followed by `<pid>-<time>`. */
export function atomicTempPrefix(file: string): string {
  return `.${path.basename(file)}.tmp-`;
}

/**
 * Writes to `.<name>.tmp-<pid>-<time>` beside `file`, flushes it to disk, then renames it over `file`: readers
 * see the old file or the whole new one, even when the writer is killed. Temp files left by writers that were
 * killed are removed by the next write of the same file.
 */
export function writeFileAtomic(file: string, parts: readonly Uint8Array[]): void {
  const dir = path.dirname(file);
  const prefix = atomicTempPrefix(file);
  removeStaleTempFiles(dir, prefix);
  const tmp = path.join(dir, `${prefix}${process.pid}-${Date.now()}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const p of parts) {
      let off = 0;
      while (off < p.byteLength) off += fs.writeSync(fd, p, off, p.byteLength - off);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dir);
}

/** Flushes a directory entry (the rename) to disk where the platform allows it. */
function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported everywhere (Windows): the rename is still atomic, only its durability on power loss is not.
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
