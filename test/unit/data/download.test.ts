import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MIRRORS, MNIST_FILES, downloadMnist, type RemoteFile } from '../../../src/data/download';

const A = Buffer.from('first file: ' + 'x'.repeat(5000));
const B = Buffer.from('second file: ' + 'y'.repeat(3000));
const md5 = (b: Buffer): string => crypto.createHash('md5').update(b).digest('hex');
const FILES: RemoteFile[] = [
  { name: 'a.gz', md5: md5(A) },
  { name: 'b.gz', md5: md5(B) },
];
const CONTENT: Record<string, Buffer> = { 'a.gz': A, 'b.gz': B };

describe('MNIST download (against a local server on 127.0.0.1)', () => {
  let server: http.Server;
  let base: string;
  let hits: string[];
  let cache: string;

  before(async () => {
    server = http.createServer((req, res) => {
      const [, mode, name] = (req.url ?? '').split('/');
      hits.push(`${mode}/${name}`);
      const body = CONTENT[name];
      if (mode === 'missing' || !body) {
        res.writeHead(404, 'Not Found').end('no');
      } else if (mode === 'good') {
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } else if (mode === 'corrupt') {
        const bad = Buffer.from(body);
        bad[3] ^= 1;
        res.writeHead(200, { 'content-length': bad.length }).end(bad);
      } else if (mode === 'truncated') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 100), () => res.destroy());
      } else if (mode === 'slow') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 10)); // then nothing: the idle timeout must end it
      } else if (mode === 'big') {
        res.writeHead(200, { 'content-length': 1 << 30 }).end();
      } else if (mode === 'nolength') {
        res.writeHead(200);
        res.end(Buffer.concat([body, body]));
      } else if (mode === 'redirect') {
        res.writeHead(302, { location: `/good/${name}` }).end();
      } else res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    hits = [];
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-dl-'));
  });
  afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

  const m = (mode: string): string => `${base}/${mode}/`;

  it('knows torchvision\'s mirrors and the four files\' checksums', () => {
    assert.deepEqual(DEFAULT_MIRRORS, ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/']);
    assert.deepEqual(MNIST_FILES.map((f) => f.name), ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
  });

  it('falls back past missing, corrupt and truncated mirrors and keeps only verified files', async () => {
    const fallbacks: string[] = [];
    const progress: number[] = [];
    await downloadMnist({
      cacheDir: cache,
      files: FILES,
      mirrors: [m('missing'), m('corrupt'), m('truncated'), m('good')],
      onFallback: (file, mirror, reason) => fallbacks.push(`${file} ${mirror.split('/')[3]}: ${reason}`),
      onProgress: (p) => p.file === 'a.gz' && p.mirror === m('good') && progress.push(p.received),
    });
    assert.deepEqual(fs.readdirSync(cache).sort(), ['a.gz', 'b.gz']);
    assert.ok(fs.readFileSync(path.join(cache, 'a.gz')).equals(A));
    assert.ok(fs.readFileSync(path.join(cache, 'b.gz')).equals(B));
    assert.equal(fallbacks.length, 6);
    assert.match(fallbacks[0], /^a.gz missing: HTTP 404 Not Found$/);
    assert.match(fallbacks[1], new RegExp(`^a.gz corrupt: checksum mismatch: MD5 [0-9a-f]{32}, expected ${FILES[0].md5}$`));
    assert.match(fallbacks[2], /^a.gz truncated: (truncated: received 100 of 5012 bytes|connection closed after 100 bytes|connection error: .*)$/);
    assert.equal(progress[progress.length - 1], A.length);
  });

  it('skips files already in the cache with the right checksum, and replaces wrong ones', async () => {
    fs.writeFileSync(path.join(cache, 'a.gz'), A);
    fs.writeFileSync(path.join(cache, 'b.gz'), 'stale');
    await downloadMnist({ cacheDir: cache, files: FILES, mirrors: [m('redirect')] });
    assert.deepEqual(hits, ['redirect/b.gz', 'good/b.gz']);
    assert.ok(fs.readFileSync(path.join(cache, 'b.gz')).equals(B));
  });

  it('fails with every mirror\'s reason and leaves nothing half-written', async () => {
    await assert.rejects(
      downloadMnist({ cacheDir: cache, files: FILES, mirrors: [m('missing'), m('big'), m('nolength')], maxBytes: 8000 }),
      (e: Error) =>
        e.message.startsWith('could not download a.gz from any mirror:') &&
        e.message.includes(`${m('missing')}a.gz: HTTP 404`) &&
        e.message.includes(`${m('big')}a.gz: file is 1073741824 bytes, larger than the 8000-byte limit`) &&
        e.message.includes(`${m('nolength')}a.gz: more than the 8000-byte limit received`),
    );
    assert.deepEqual(fs.readdirSync(cache), []);
  });

  it('gives up on a stalled server after the idle timeout and tries the next mirror', async () => {
    const reasons: string[] = [];
    await downloadMnist({ cacheDir: cache, files: FILES.slice(0, 1), mirrors: [m('slow'), m('good')], idleTimeoutMs: 150, onFallback: (_f, _m, r) => reasons.push(r) });
    assert.deepEqual(reasons, ['no data for 150 ms: timed out']);
    assert.deepEqual(fs.readdirSync(cache), ['a.gz']);
  });

  it('stops when cancelled, removing the partial file', async () => {
    const ac = new AbortController();
    const p = downloadMnist({ cacheDir: cache, files: FILES, mirrors: [m('slow'), m('good')], signal: ac.signal, idleTimeoutMs: 10_000 });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, /download cancelled/);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(fs.readdirSync(cache), []);
    assert.ok(!hits.includes('good/a.gz'));
  });
});
