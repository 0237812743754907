/**
 * The integration-test entry, as `@vscode/test-electron` expects it: `run()` loads every `*.test.js` beside this
 * file into mocha and resolves when they pass. Runs inside the real extension host (code-server here).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.NNLENS_E2E_GREP || undefined });
  const dir = __dirname;
  // Restricted mode (an untrusted workspace) runs its own suite on its own server; the others need trust.
  const restricted = process.env.NNLENS_E2E_MODE === 'restricted';
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.test.js') && n.startsWith('restricted.') === restricted);
  for (const f of files.sort()) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures: number) => {
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else if (runner.stats?.tests === 0) reject(new Error('no integration test ran (check --grep)'));
      else resolve();
    });
  });
}
