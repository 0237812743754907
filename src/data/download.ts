/**
 * Full MNIST download: the four standard files from a list of mirrors (torchvision's by default), each verified
 * against its MD5 checksum, written to a temporary file and renamed into the cache folder only once verified, so
 * nothing half-written survives an interruption (the partial files of a killed download are removed by the next).
 * A failing mirror (HTTP error, bad checksum, truncation, timeout, size cap) falls back to the next; cancellation
 * via an AbortSignal stops everything.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { removeStaleTempFiles } from './fileio';

export const DEFAULT_MIRRORS = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];

export interface RemoteFile {
  name: string;
  md5: string;
}

export const MNIST_FILES: readonly RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
  { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
  { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
  { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
];

export interface DownloadProgress {
  file: string;
  mirror: string;
  received: number;
  /** From Content-Length, when the server sends it. */
  total: number | null;
  /** Files finished so far, of `files`. */
  done: number;
  files: number;
}

export interface DownloadOptions {
  cacheDir: string;
  mirrors?: readonly string[];
  files?: readonly RemoteFile[];
  onProgress?: (p: DownloadProgress) => void;
  /** Told when a mirror fails and the next is tried. */
  onFallback?: (file: string, mirror: string, reason: string) => void;
  signal?: AbortSignal;
  /** No byte for this long ends the attempt (default 30 s). */
  idleTimeoutMs?: number;
  /** A file larger than this is refused (default 64 MiB). */
  maxBytes?: number;
}

export class DownloadError extends Error {}

function md5File(file: string): string {
  return crypto.createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

/** Downloads whatever is missing or wrong in the cache; returns the cache folder. */
export async function downloadMnist(opts: DownloadOptions): Promise<string> {
  const files = opts.files ?? MNIST_FILES;
  const mirrors = opts.mirrors ?? DEFAULT_MIRRORS;
  if (mirrors.length === 0) throw new DownloadError('no download mirrors configured');
  fs.mkdirSync(opts.cacheDir, { recursive: true });
  let done = 0;
  for (const f of files) {
    const dest = path.join(opts.cacheDir, f.name);
    // Partial files of downloads that were killed (never read as data: their names differ).
    removeStaleTempFiles(opts.cacheDir, `${f.name}.part-`);
    if (fs.existsSync(dest) && md5File(dest) === f.md5) {
      done++;
      continue;
    }
    const reasons: string[] = [];
    let ok = false;
    for (const mirror of mirrors) {
      if (opts.signal?.aborted) throw new DownloadError('download cancelled');
      const url = new URL(f.name, mirror.endsWith('/') ? mirror : `${mirror}/`).toString();
      try {
        await fetchVerified(url, dest, f, opts, (received, total) => opts.onProgress?.({ file: f.name, mirror, received, total, done, files: files.length }));
        ok = true;
        break;
      } catch (e) {
        if (opts.signal?.aborted) throw new DownloadError('download cancelled');
        const reason = (e as Error).message;
        reasons.push(`${url}: ${reason}`);
        opts.onFallback?.(f.name, mirror, reason);
      }
    }
    if (!ok) throw new DownloadError(`could not download ${f.name} from any mirror:\n  ${reasons.join('\n  ')}`);
    done++;
    opts.onProgress?.({ file: f.name, mirror: '', received: fs.statSync(dest).size, total: fs.statSync(dest).size, done, files: files.length });
  }
  return opts.cacheDir;
}

/** One attempt: stream to a temp file, hashing; rename into place only when the checksum matches. */
function fetchVerified(url: string, dest: string, f: RemoteFile, opts: DownloadOptions, progress: (received: number, total: number | null) => void): Promise<void> {
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  const maxBytes = opts.maxBytes ?? 64 << 20;
  const idle = opts.idleTimeoutMs ?? 30_000;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let out: fs.WriteStream | null = null;
    let req: http.ClientRequest | null = null;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      const ws = out as fs.WriteStream | null;
      const close = ws && !ws.closed ? new Promise<void>((r) => { ws.once('close', () => r()); ws.end(); }) : Promise.resolve();
      void close.then(() => {
        if (err) {
          fs.rmSync(tmp, { force: true });
          reject(err);
        } else {
          try {
            fs.renameSync(tmp, dest);
            resolve();
          } catch (e) {
            fs.rmSync(tmp, { force: true });
            reject(e as Error);
          }
        }
      });
    };
    const onAbort = (): void => finish(new DownloadError('download cancelled'));
    opts.signal?.addEventListener('abort', onAbort);

    const get = (u: string, redirects: number): void => {
      const lib = u.startsWith('https:') ? https : http;
      req = lib.get(u, { timeout: idle }, (res) => {
        const code = res.statusCode ?? 0;
        if (code >= 300 && code < 400 && res.headers.location) {
          res.resume();
          if (redirects >= 5) return finish(new Error('too many redirects'));
          return get(new URL(res.headers.location, u).toString(), redirects + 1);
        }
        if (code !== 200) {
          res.resume();
          return finish(new Error(`HTTP ${code}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
        }
        const lenHeader = res.headers['content-length'];
        const total = lenHeader !== undefined && /^\d+$/.test(lenHeader) ? Number(lenHeader) : null;
        if (total !== null && total > maxBytes) {
          res.resume();
          return finish(new Error(`file is ${total} bytes, larger than the ${maxBytes}-byte limit`));
        }
        const hash = crypto.createHash('md5');
        let received = 0;
        out = fs.createWriteStream(tmp);
        out.on('error', (e) => finish(new Error(`cannot write ${tmp}: ${e.message}`)));
        res.on('data', (chunk: Buffer) => {
          received += chunk.byteLength;
          if (received > maxBytes) return finish(new Error(`more than the ${maxBytes}-byte limit received`));
          hash.update(chunk);
          out?.write(chunk);
          progress(received, total);
        });
        res.on('error', (e) => finish(new Error(`connection error: ${e.message}`)));
        res.on('aborted', () => finish(new Error(`connection closed after ${received} bytes`)));
        res.on('end', () => {
          if (settled) return;
          if (total !== null && received !== total) return finish(new Error(`truncated: received ${received} of ${total} bytes`));
          const sum = hash.digest('hex');
          if (sum !== f.md5) return finish(new Error(`checksum mismatch: MD5 ${sum}, expected ${f.md5}`));
          finish(null);
        });
      });
      req.on('timeout', () => finish(new Error(`no data for ${idle} ms: timed out`)));
      req.on('error', (e) => finish(new Error(`request failed: ${e.message}`)));
    };
    get(url, 0);
  });
}
