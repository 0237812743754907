// `npm run bench`: every benchmark in bench/*.bench.ts, one after the other, each in its own process so that
// one's JIT state and garbage do not colour the next. Figures, not tests: nothing here fails the build.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const only = process.argv.slice(2);
const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
for (const f of files) {
  console.log(`\n## ${f}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, f)], { stdio: 'inherit' });
  console.log(`(${f}: ${((Date.now() - t0) / 1000).toFixed(0)} s${r.status ? `, exit ${r.status}` : ''})`);
}
