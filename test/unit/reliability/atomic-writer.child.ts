/**
 * Child process of atomic-save.test.ts: rewrites one safetensors file with the data layer's atomic writer, forever,
 * until it is killed. Generation g holds a tensor "w" of N float32 values all equal to g, and metadata
 * {generation: g}; after each write it prints g on stdout.
 *   node atomic-writer.js TARGET N START   (the test bundles this file with esbuild)
 */
import * as torch from '../../../src/engine';
import { writeSafetensorsFile } from '../../../src/data/safetensors';

const [target, n, start] = process.argv.slice(2);
let g = Number(start);
process.stdout.write('ready\n');
for (;;) {
  g++;
  writeSafetensorsFile(target, [['w', torch.full([Number(n)], g, { dtype: 'float32' })]], { generation: String(g) });
  process.stdout.write(`${g}\n`);
}
