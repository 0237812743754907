// `npm start`: builds NN Lens and opens VS Code with the extension and the examples folder.
// - With `code` on the PATH: desktop VS Code, `code --extensionDevelopmentPath=<repo> examples/`.
// - Without it: code-server on 127.0.0.1 (installed by scripts/install-code-server.sh), printing the address to
//   open in a browser; Ctrl+C stops it. Its settings and state persist in .cache/start/ between runs.
// Usage: npm start [-- --port N] [-- --folder DIR]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerEntry, freePort, startCodeServer, workbenchUrl } from './code-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const folder = path.resolve(opt('--folder') ?? path.join(ROOT, 'examples'));

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

if (onPath('code') && !args.includes('--code-server')) {
  console.log(`Opening VS Code with NN Lens (development) on ${folder}`);
  const code = spawn('code', [`--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit' });
  code.on('exit', (c) => process.exit(c ?? 0));
} else {
  if (!fs.existsSync(codeServerEntry())) {
    console.log('`code` is not on the PATH: installing code-server (once, about 2 minutes)...');
    const inst = spawnSync('bash', [path.join(ROOT, 'scripts/install-code-server.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (inst.status !== 0 || !fs.existsSync(codeServerEntry())) {
      console.error('code-server could not be installed: see scripts/install-code-server.sh (needs ripgrep, build tools, libkrb5-dev).');
      process.exit(1);
    }
  }
  const dataDir = path.join(ROOT, '.cache/start');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = Number(opt('--port') ?? process.env.PORT ?? (await freePort()));
  const cs = await startCodeServer({ dataDir, folder, port, logFile: path.join(dataDir, 'code-server.log') });
  const stop = () => {
    cs.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\nNN Lens is running in code-server ${cs.base} (log: ${path.relative(ROOT, path.join(dataDir, 'code-server.log'))}).`);
  console.log('Open this address in a browser (it loads the extension from this folder):\n');
  console.log(`  ${workbenchUrl(cs.base, port, folder, ROOT)}\n`);
  console.log('Press Ctrl+C to stop.');
  cs.server.on('exit', (c) => {
    console.log(`code-server exited (${c})`);
    process.exit(c ?? 0);
  });
}
