/**
 * Saving is atomic: a child process rewrites an 8 MiB safetensors file with the data layer's atomic writer in a
 * loop and is SIGKILLed, either at a random time or once its temp file holds a random number of bytes (a kill
 * that is certainly mid-write). After every kill the file is a complete generation — the last one the child
 * reported, or the one it had just renamed into place — and only temp files (never read as the file) are left;
 * the next write removes them. Kill points come from fast-check with a fixed seed (printed with its replay path
 * on failure).
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import fc from 'fast-check';
import { SafetensorsFile, writeSafetensorsFile } from '../../../src/data/safetensors';
import { atomicTempPrefix, staleTempFiles } from '../../../src/data/fileio';
import * as torch from '../../../src/engine';

const CHILD = path.join(__dirname, 'atomic-writer.child.ts');
const N = 2 << 20; // float32 values: an 8 MiB file
const F32 = { dtype: 'float32' } as const;
/** Kills per run of the suite (the README's reliability section quotes this). */
export const KILLS = 10;

function startWriter(script: string, target: string, start: number): { child: ChildProcess; lines: string[]; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, [script, target, String(N), String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const p of parts) {
      if (p === 'ready') onReady();
      else lines.push(p);
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited by itself (${code ?? signal}): ${stderr}`)))),
  );
  return { child, lines, ready, exited };
}

/** The generation a file holds, after checking that it is whole: metadata and every value agree. */
function generationOf(file: string): number {
  const f = SafetensorsFile.open(file);
  try {
    const g = Number(f.header.metadata.generation);
    const w = f.readTensor('w');
    assert.deepEqual([...w.shape], [N]);
    const s = w.storage;
    for (let i = 0; i < s.length; i++) if (s[i] !== g) assert.fail(`${file}: value ${i} is ${s[i]}, generation ${g}`);
    return g;
  } finally {
    f.close();
  }
}

function tempsOf(dir: string, target: string): string[] {
  const prefix = atomicTempPrefix(target);
  return fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
}

/** Resolves once `dir` holds a temp file of at least `bytes` bytes (or after 5 s). */
async function tempReaches(dir: string, target: string, bytes: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 5000) {
    for (const n of tempsOf(dir, target)) {
      try {
        if (fs.statSync(path.join(dir, n)).size >= bytes) return;
      } catch {
        // renamed away meanwhile
      }
    }
    await new Promise((r) => setImmediate(r));
  }
}

describe('atomic save under SIGKILL', function () {
  this.timeout(120_000);
  let dir: string;
  let target: string;
  let bundle: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-atomic-'));
    target = path.join(dir, 'model.safetensors');
    // Bundled once, as the extension's own bundles are: a child starts in milliseconds.
    bundle = path.join(os.tmpdir(), `nnlens-atomic-writer-${process.pid}.js`);
    await esbuild.build({ entryPoints: [CHILD], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bundle, { force: true });
  });

  it(`the old file or the whole new one, never half of one (${KILLS} kills)`, async () => {
    writeSafetensorsFile(target, [['w', torch.full([N], 0, F32)]], { generation: '0' });
    let generation = 0;
    let midWrite = 0;
    // Kill after `writes` completed writes: at a random time, or once the next temp file holds `percent`% of its bytes.
    const kill = fc.oneof(
      fc.record({ writes: fc.noBias(fc.integer({ min: 0, max: 2 })), at: fc.constant('time' as const), ms: fc.noBias(fc.integer({ min: 0, max: 300 })) }),
      fc.record({ writes: fc.noBias(fc.integer({ min: 0, max: 2 })), at: fc.constant('bytes' as const), percent: fc.noBias(fc.integer({ min: 0, max: 99 })) }),
    );
    await fc.assert(
      fc.asyncProperty(kill, async (k) => {
        const w = startWriter(bundle, target, generation);
        await w.ready;
        while (w.lines.length < k.writes) await new Promise((r) => setTimeout(r, 1));
        if (k.at === 'time') await new Promise((r) => setTimeout(r, k.ms));
        else await tempReaches(dir, target, Math.floor((k.percent / 100) * 4 * N));
        w.child.kill('SIGKILL');
        await w.exited;
        const reported = w.lines.length ? Number(w.lines[w.lines.length - 1]) : generation;
        const g = generationOf(target);
        assert.ok(g === reported || g === reported + 1, `file holds generation ${g}, the writer last reported ${reported}`);
        const others = fs.readdirSync(dir).filter((n) => n !== path.basename(target));
        assert.deepEqual(others, tempsOf(dir, target), 'nothing but the file and temp files');
        // At most the killed writer's own temp file: earlier ones were removed by its first write.
        assert.ok(others.length <= 1, others.join(', '));
        if (others.length) midWrite++;
        generation = g;
      }),
      { seed: 1207, numRuns: KILLS, endOnFailure: true },
    );
    // Kills by size are mid-write by construction: most runs must have left a temp file to clean.
    assert.ok(midWrite >= 3, `${midWrite} of ${KILLS} kills were mid-write`);
    // The next write removes what killed writers left, and writes the whole file.
    writeSafetensorsFile(target, [['w', torch.full([N], generation + 1, F32)]], { generation: String(generation + 1) });
    assert.deepEqual(fs.readdirSync(dir), [path.basename(target)]);
    assert.equal(generationOf(target), generation + 1);
  });

  it("leaves a live writer's temp file alone, and removes it once that process is gone", async () => {
    const target = path.join(dir, 'sub', 'model.safetensors');
    const sub = path.dirname(target);
    fs.mkdirSync(sub);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const exited = new Promise((r) => sleeper.on('exit', r));
    const pid = sleeper.pid ?? assert.fail('no pid');
    const live = path.join(sub, `${atomicTempPrefix(target)}${pid}-${Date.now()}`);
    const unrelated = path.join(sub, `${atomicTempPrefix(target)}notes`);
    fs.writeFileSync(live, 'half a file');
    fs.writeFileSync(unrelated, 'not ours');
    try {
      assert.deepEqual(staleTempFiles(sub, atomicTempPrefix(target)), []);
      writeSafetensorsFile(target, [['w', torch.full([N], 7, F32)]], { generation: '7' });
      assert.ok(fs.existsSync(live), 'a running writer keeps its temp file');
    } finally {
      sleeper.kill('SIGKILL');
      await exited;
    }
    assert.deepEqual(staleTempFiles(sub, atomicTempPrefix(target)), [live]);
    writeSafetensorsFile(target, [['w', torch.full([N], 8, F32)]], { generation: '8' });
    assert.ok(!fs.existsSync(live));
    assert.ok(fs.existsSync(unrelated), 'a file that is not a temp file of ours is never touched');
    assert.equal(generationOf(target), 8);
  });
});
