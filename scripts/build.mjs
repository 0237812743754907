// One esbuild script, several bundles (extension host, worker, CLI, webview, e2e suites).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  keepNames: true, // Module reprs use class names (Linear, Sequential, ...)
  logLevel: 'info',
  legalComments: 'none',
};

// mainFields: jsonc-parser's UMD build (its "main") hides its requires from the bundler; its ESM build bundles.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

/** @type {esbuild.BuildOptions[]} */
const targets = [
  // The light entry point VS Code activates, and the rest it loads once a model file needs it.
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension-main.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/train/worker.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common, platform: 'browser', format: 'iife', target: 'chrome120',
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js',
  },
  {
    ...common, platform: 'browser', format: 'iife', target: 'chrome120',
    entryPoints: ['webview/weights/main.ts'], outfile: 'dist/weights-editor.js',
  },
];

// End-to-end mocha suites run inside the real extension host: bundle each to out/e2e/.
const e2eDir = 'test/e2e/suite';
if (existsSync(e2eDir)) {
  const suites = readdirSync(e2eDir).filter((f) => f.endsWith('.ts')).map((f) => join(e2eDir, f));
  if (suites.length) {
    targets.push({ ...node, sourcemap: true, minify: false, entryPoints: suites, outdir: 'out/e2e/suite', external: ['vscode', 'mocha'] });
  }
}

// The engine's WebAssembly kernels first: the bundles embed src/engine/kernels/wasm/kernels-wasm.ts.
const wasm = spawnSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
if (wasm.status !== 0) process.exit(wasm.status ?? 1);

const present = targets.filter((t) => (t.entryPoints ?? []).every((e) => existsSync(e)));
mkdirSync('dist', { recursive: true });
if (watch) {
  for (const t of present) (await esbuild.context(t)).watch();
  console.log(`watching ${present.length} bundles`);
} else {
  await Promise.all(present.map((t) => esbuild.build(t)));
}
