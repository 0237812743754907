// End-to-end tests in real VS Code: code-server 4.100.3 (a real Node extension host) driven by playwright-core and
// Debian's chromium. See ../../../shared/E2E.md for why each step is as it is.
//   1. the mocha suites in out/e2e/suite/ run inside the extension host (`extensionTestsPath`, as @vscode/test-electron does);
//   2. the UI tests in test/e2e/ui/*.mjs drive the workbench like a person (palette, editor, webview);
//   3. restricted mode: the suite `restricted.test.ts` on a second server whose workspace is left untrusted.
// Usage: node test/e2e/run.mjs [--only mocha|ui|restricted] [--grep TEXT] [--keep]   (npm run test:e2e builds first)
// Screenshots and logs go to .test-artifacts/e2e/. The server's whole process group is always killed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CODE_SERVER_VERSION, codeServerEntry, freePort, startCodeServer, workbenchUrl as pageUrl } from '../../scripts/code-server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, '.test-artifacts/e2e');
const VERSION = CODE_SERVER_VERSION;
const ENTRY = codeServerEntry();
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MOCHA_TIMEOUT_MS = 8 * 60_000;
/** Workbench start-up chatter: kept in mocha.log, not echoed. */
const WORKBENCH_NOISE = /^(Resolving connection|Resolved connection|Creating a socket|Ignoring fetching|Updating additional|\[Service Worker\]|ChatSessionStore)/;

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('--only');
const grep = opt('--grep');
const keep = args.includes('--keep');
/** Test counts over every phase, for the closing `e2e: N passed, M failed` line. */
const totals = { passed: 0, failed: 0 };

function log(...a) {
  console.log('[e2e]', ...a);
}

function need(file, hint) {
  if (!fs.existsSync(file)) {
    console.error(`[e2e] missing ${path.relative(ROOT, file) || file}: ${hint}`);
    process.exit(2);
  }
}

/** A fresh copy of examples/ (tests write weights and new files there, never into the repo). */
function makeWorkspace(tmp, name) {
  const ws = path.join(tmp, name);
  fs.cpSync(path.join(ROOT, 'examples'), ws, { recursive: true });
  return ws;
}

/** The page URL that opens `folder` with our extension under development (and, for mocha, its tests). */
function workbenchUrl(base, port, folder, testsPath) {
  return pageUrl(base, port, folder, ROOT, testsPath);
}

async function runMocha(ctx, base, port, tmp, name = 'mocha') {
  const ws = makeWorkspace(tmp, `ws-${name}`);
  const page = await ctx.newPage();
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  const out = fs.createWriteStream(path.join(ARTIFACTS, `${name}.log`));
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    const text = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
    out.write(text + '\n');
    const count = /^\s*(\d+) (passing|failing)/.exec(text);
    if (count) totals[count[2] === 'passing' ? 'passed' : 'failed'] += Number(count[1]);
    if (WORKBENCH_NOISE.test(text)) return;
    if (type === 'error') console.error(text);
    else console.log(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  log(`${name}: mocha suites in the extension host (workspace ${ws})`);
  await page.goto(workbenchUrl(base, port, ws, path.join(ROOT, 'out/e2e/suite/index.js')));
  const timer = new Promise((r) => setTimeout(() => r('timeout'), MOCHA_TIMEOUT_MS));
  const code = await Promise.race([exited, timer]);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-end.png`) }).catch(() => {});
  out.end();
  await page.close().catch(() => {});
  if (code === 'timeout') {
    console.error(`[e2e] the mocha suites did not finish within ${MOCHA_TIMEOUT_MS / 1000} s`);
    return 1;
  }
  log(`${name}: mocha suites exited with code ${code}`);
  return code;
}

async function runUi(ctx, base, port, tmp) {
  const dir = path.join(ROOT, 'test/e2e/ui');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort() : [];
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    for (const [title, fn] of mod.tests ?? []) {
      if (grep && !title.includes(grep)) continue;
      const ws = makeWorkspace(tmp, `ws-ui-${passed + failed}`);
      const page = await ctx.newPage();
      const shotDir = path.join(ARTIFACTS, title.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
      fs.mkdirSync(shotDir, { recursive: true });
      const started = Date.now();
      try {
        await page.goto(workbenchUrl(base, port, ws));
        await fn({ page, workspace: ws, shotDir, log });
        passed++;
        log(`  ✓ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        await page.screenshot({ path: path.join(shotDir, 'failure.png') }).catch(() => {});
        console.error(`[e2e]   ✗ ${title}: ${e instanceof Error ? e.stack ?? e.message : e}`);
      } finally {
        await page.close().catch(() => {});
      }
    }
  }
  log(`UI tests: ${passed} passing, ${failed} failing`);
  totals.passed += passed;
  totals.failed += failed;
  return { passed, failed };
}

async function main() {
  need(ENTRY, 'install code-server with `bash scripts/install-code-server.sh`');
  need(CHROMIUM, 'install Debian chromium (`apt-get install -y chromium`)');
  need(path.join(ROOT, 'dist/extension.js'), 'build first (`npm run build`)');
  need(path.join(ROOT, 'out/e2e/suite/index.js'), 'build first (`npm run build`)');
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-e2e-'));
  const port = await freePort();
  let ctx;
  let cs;
  const stopAll = () => cs?.stop();
  process.on('SIGINT', () => {
    stopAll();
    process.exit(130);
  });
  process.on('SIGTERM', () => {
    stopAll();
    process.exit(143);
  });
  let exitCode = 0;
  const started = Date.now();
  const browser = (dir) =>
    chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  try {
    if (only !== 'restricted') {
      cs = await startCodeServer({
        dataDir: tmp,
        folder: tmp,
        port,
        logFile: path.join(ARTIFACTS, 'code-server.log'),
        settings: { 'security.workspace.trust.enabled': false },
        env: { NNLENS_E2E: '1', NNLENS_E2E_GREP: grep ?? '' },
      });
      log(`code-server ${VERSION} on ${cs.base} (pid ${cs.server.pid}, data ${tmp})`);
      ctx = await browser(path.join(tmp, 'browser'));
      if (only !== 'ui') {
        const code = await runMocha(ctx, cs.base, port, tmp);
        if (code !== 0) exitCode = 1;
      }
      if (only !== 'mocha') {
        const { failed } = await runUi(ctx, cs.base, port, tmp);
        if (failed > 0) exitCode = 1;
      }
      await ctx.close();
      ctx = undefined;
      stopAll();
    }
    if (!only || only === 'restricted') {
      // Restricted mode: a second server with workspace trust on and the folder left untrusted (no prompt).
      const rtmp = path.join(tmp, 'restricted');
      fs.mkdirSync(rtmp);
      const rport = await freePort();
      cs = await startCodeServer({
        dataDir: rtmp,
        folder: rtmp,
        port: rport,
        trust: true,
        logFile: path.join(ARTIFACTS, 'code-server-restricted.log'),
        settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false },
        env: { NNLENS_E2E: '1', NNLENS_E2E_MODE: 'restricted', NNLENS_E2E_GREP: grep ?? '' },
      });
      log(`code-server (workspace trust on) on ${cs.base}`);
      ctx = await browser(path.join(rtmp, 'browser'));
      const code = await runMocha(ctx, cs.base, rport, rtmp, 'restricted');
      if (code !== 0) exitCode = 1;
    }
  } catch (e) {
    console.error('[e2e] error:', e instanceof Error ? e.stack ?? e.message : e);
    exitCode = 1;
  } finally {
    await ctx?.close().catch(() => {});
    stopAll();
    if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${exitCode === 0 ? 'passed' : 'FAILED'} (artifacts in .test-artifacts/e2e/)`);
  if (exitCode === 0 && totals.passed === 0) {
    console.error('[e2e] no test ran');
    exitCode = 1;
  }
  console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed`);
  process.exit(exitCode);
}

await main();
