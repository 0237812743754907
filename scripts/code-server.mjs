// Starting code-server (real VS Code in the browser, with a Node extension host) for `npm start` and the
// end-to-end tests. See ../../shared/E2E.md for the why of each flag.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';

/** The installed code-server's entry point (scripts/install-code-server.sh puts it there). */
export function codeServerEntry() {
  const cache = process.env.NNLENS_CACHE ?? path.join(os.homedir(), '.cache/nn-lens');
  return path.join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules/code-server/out/node/entry.js');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** User settings that keep the workbench quiet and offline. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'update.mode': 'none',
};

/**
 * Starts code-server on 127.0.0.1:`port` in its own process group, with `dataDir` for its user data, extensions
 * and config. Resolves once /healthz answers. `stop()` kills the whole group.
 */
export async function startCodeServer({ dataDir, folder, port, logFile, settings = {}, env = {}, trust = false }) {
  const userData = path.join(dataDir, 'ud');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  const settingsFile = path.join(userData, 'User/settings.json');
  if (!fs.existsSync(settingsFile)) fs.writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const config = path.join(dataDir, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const out = logFile ? fs.openSync(logFile, 'w') : 'ignore';
  const args = [codeServerEntry(), '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', path.join(dataDir, 'exts')];
  if (!trust) args.push('--disable-workspace-trust');
  args.push(folder);
  const server = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    // No extension gallery: nothing leaves the machine, and nothing depends on a marketplace.
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env },
  });
  const stop = () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`code-server exited with code ${server.exitCode}${logFile ? ` (see ${logFile})` : ''}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      stop();
      throw new Error('code-server did not answer /healthz within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { server, base, port, stop };
}

/** The page that opens `folder` with the extension at `extensionPath` under development (and its tests). */
export function workbenchUrl(base, port, folder, extensionPath, testsPath) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
