/**
 * Interrupted and corrupt downloads leave the cache as it was: files already there keep their bytes, a wrong
 * file is not replaced by a worse one, and a download process killed mid-file leaves only a `.part-` file that is
 * never read as data and is removed by the next download. Against a local server on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { downloadMnist, type RemoteFile } from '../../../src/data/download';
import { findIdxFile } from '../../../src/data/dataset';

const A = crypto.randomBytes(200_000);
const B = crypto.randomBytes(300_000);
const md5 = (b: Buffer): string => crypto.createHash('md5').update(b).digest('hex');
const FILES: RemoteFile[] = [
  { name: 'train-images-idx3-ubyte.gz', md5: md5(A) },
  { name: 'train-labels-idx1-ubyte.gz', md5: md5(B) },
];
const CONTENT: Record<string, Buffer> = { [FILES[0].name]: A, [FILES[1].name]: B };

/** Every file of a folder with its bytes' hash: "as it was" means this does not change. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, md5(fs.readFileSync(path.join(dir, n)))]));
}

describe('the download cache survives failures', function () {
  this.timeout(30_000);
  let server: http.Server;
  let base: string;
  let cache: string;
  let tmp: string;
  let child: string;

  before(async () => {
    server = http.createServer((req, res) => {
      const [, mode, name] = (req.url ?? '').split('/');
      const body = CONTENT[name];
      if (!body) return void res.writeHead(404, 'Not Found').end();
      if (mode === 'good') return void res.writeHead(200, { 'content-length': body.length }).end(body);
      if (mode === 'corrupt') {
        const bad = Buffer.from(body);
        bad[bad.length >> 1] ^= 0x40;
        return void res.writeHead(200, { 'content-length': bad.length }).end(bad);
      }
      if (mode === 'cut') {
        res.writeHead(200, { 'content-length': body.length });
        return void res.write(body.subarray(0, 1000), () => res.destroy());
      }
      // stall: half the file, then nothing (the test kills the downloader meanwhile).
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-dlcache-'));
    child = path.join(tmp, 'download.js');
    await esbuild.build({ entryPoints: [path.join(__dirname, 'download.child.ts')], outfile: child, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => (cache = fs.mkdtempSync(path.join(tmp, 'cache-'))));

  it('a corrupt or cut download changes nothing: a good file stays, a wrong one stays as it was', async () => {
    fs.writeFileSync(path.join(cache, FILES[0].name), A);
    fs.writeFileSync(path.join(cache, FILES[1].name), B.subarray(0, 5000)); // an old, truncated copy
    const before = snapshot(cache);
    for (const mode of ['corrupt', 'cut']) {
      await assert.rejects(downloadMnist({ cacheDir: cache, files: FILES, mirrors: [`${base}/${mode}/`] }), (e: Error) => e.message.startsWith(`could not download ${FILES[1].name} from any mirror:`));
      assert.deepEqual(snapshot(cache), before, mode);
    }
  });

  it('a downloader killed mid-file leaves a .part file that is never read as data and is removed by the next download', async () => {
    fs.writeFileSync(path.join(cache, FILES[0].name), A);
    const p = spawn(process.execPath, [child, cache, `${base}/stall/`, JSON.stringify(FILES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => p.on('exit', r));
    // Wait until the second file's partial download holds its first half.
    const half = B.length >> 1;
    const partOf = (): string | undefined => fs.readdirSync(cache).find((n) => n.startsWith(`${FILES[1].name}.part-`));
    for (let t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 5))) {
      const part = partOf();
      if (part && fs.statSync(path.join(cache, part)).size >= half) break;
    }
    p.kill('SIGKILL');
    await exited;
    const part = partOf();
    assert.ok(part, `a partial file: ${fs.readdirSync(cache).join(', ')}`);
    assert.equal(fs.statSync(path.join(cache, part)).size, half);
    assert.ok(fs.readFileSync(path.join(cache, FILES[0].name)).equals(A), 'the finished file is untouched');
    // A dataset folder reader looks for the real name only: the partial file is not the labels file.
    assert.throws(() => findIdxFile(cache, 'train-labels-idx1-ubyte'), /missing train-labels-idx1-ubyte/);
    await downloadMnist({ cacheDir: cache, files: FILES, mirrors: [`${base}/good/`] });
    assert.deepEqual(fs.readdirSync(cache).sort(), FILES.map((f) => f.name).sort());
    assert.ok(fs.readFileSync(path.join(cache, FILES[1].name)).equals(B));
  });
});
