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

/** Writes to `file.tmp-<pid>` then renames over `file`: readers see the old file or the whole new one. */
export function writeFileAtomic(file: string, parts: readonly Uint8Array[]): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
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
}
