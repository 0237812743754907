// The size of the .vsix `npm run package` makes from the current sources, and what is in it. Packaged in a copy of
// the working tree (its tracked and untracked, not ignored, files; node_modules linked), so the repository's dist/
// keeps its development build and nothing here is touched.
// Run: npx tsx bench/vsix-size.bench.ts      Writes bench/results/vsix-size.json.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeResults } from './results';

const ROOT = path.resolve(__dirname, '..');

interface Entry {
  name: string;
  size: number;
  compressed: number;
}

/** The entries of a zip file, from its central directory. */
function zipEntries(buf: Buffer): Entry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const n = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + n), size, compressed });
    p += 46 + n + extra + comment;
  }
  return out;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;

function main(): void {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-vsix-'));
  try {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 }).split('\0').filter(Boolean);
    for (const f of files) {
      const src = path.join(ROOT, f);
      if (!fs.existsSync(src) || fs.statSync(src).isDirectory()) continue; // deleted in the working tree, or a submodule
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(src, path.join(stage, f));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
    const t0 = performance.now();
    const r = spawnSync('npm', ['run', 'package'], { cwd: stage, encoding: 'utf8', timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    const vsix = fs.readdirSync(stage).find((f) => f.endsWith('.vsix'));
    if (r.status !== 0 || !vsix) {
      console.log(`npm run package failed (exit ${r.status}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n')}`);
      process.exitCode = 1;
      return;
    }
    const buf = fs.readFileSync(path.join(stage, vsix));
    const entries = zipEntries(buf).filter((e) => !e.name.endsWith('/'));
    const groups = new Map<string, { size: number; compressed: number; files: number }>();
    for (const e of entries) {
      const rel = e.name.replace(/^extension\//, '');
      const parts = rel.split('/');
      const depth = parts[0] === 'media' && parts.length > 2 ? 2 : parts.length > 1 ? 1 : 0;
      const g = depth ? parts.slice(0, depth).join('/') + '/' : e.name.startsWith('extension/') ? rel : `(${rel})`;
      const s = groups.get(g) ?? { size: 0, compressed: 0, files: 0 };
      s.size += e.size;
      s.compressed += e.compressed;
      s.files++;
      groups.set(g, s);
    }
    console.log(`${vsix}: ${mb(buf.length)} (${buf.length.toLocaleString('en-US')} bytes), ${entries.length} files, packaged from the current working tree in ${seconds.toFixed(0)} s`);
    for (const [g, s] of [...groups.entries()].sort((a, b) => b[1].compressed - a[1].compressed)) {
      console.log(`  ${g.padEnd(28)} ${mb(s.compressed).padStart(9)} in the vsix (${mb(s.size)} unpacked, ${s.files} file${s.files === 1 ? '' : 's'})`);
    }
    const big = [...entries].sort((a, b) => b.compressed - a.compressed).slice(0, 8);
    console.log(`  largest: ${big.map((e) => `${e.name.replace(/^extension\//, '')} ${mb(e.compressed)}`).join(', ')}`);
    writeResults('vsix-size', [{ metric: '.vsix size (npm run package)', value: `${mb(buf.length)} (${entries.length} files)`, target: '', ok: null }], {
      file: vsix, bytes: buf.length, files: entries.length, groups: Object.fromEntries(groups), entries,
    });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

main();
