/**
 * Child process of download-cache.test.ts: downloads FILES (JSON) from MIRROR into CACHE and prints "done";
 * the test kills it mid-download.   node download.js CACHE MIRROR FILES_JSON   (bundled by the test with esbuild)
 */
import { downloadMnist, type RemoteFile } from '../../../src/data/download';

const [cacheDir, mirror, files] = process.argv.slice(2);
downloadMnist({ cacheDir, mirrors: [mirror], files: JSON.parse(files) as RemoteFile[], idleTimeoutMs: 60_000 }).then(
  () => process.stdout.write('done\n'),
  (e: unknown) => process.stdout.write(`failed: ${(e as Error).message}\n`),
);
