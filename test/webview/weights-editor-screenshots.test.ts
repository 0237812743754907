/**
 * Screenshots of the weight-file editor in the light, dark and high-contrast themes, for people to look at: the
 * trained 784-64-10 network's file with W1.weight hovered and its tiles, a 3-D slice, a downsampled large tensor,
 * and the error page of a malformed file. Saved to .test-artifacts/webview/weights-editor-*.png.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../src/engine';
import { writeSafetensorsFile } from '../../src/data/safetensors';
import { MODEL_TEXT, trained } from './fixtures/trained';
import { cellCentre, hover } from './harness/helpers';
import { useEditorBrowser } from './weights-editor-harness';
import type { WebviewPage } from './harness/browser';
import type { ThemeName } from './page/themes';

const env = useEditorBrowser();
const OUT = path.resolve(__dirname, '../../.test-artifacts/webview');
const HEAT = '.tensor-view .heatmap-canvas';

/** The selected tensor's section with the pointer on cell (r, c) of its heatmap, tooltip included. */
async function hoverShot(p: WebviewPage, r: number, c: number, name: string): Promise<void> {
  await p.page.locator('.tensor-view').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await hover(p, HEAT, await cellCentre(p, HEAT, r, c));
  const box = await p.page.locator('.tensor-view').boundingBox();
  assert.ok(box);
  const vp = p.page.viewportSize() ?? { width: 1000, height: 900 };
  const file = path.join(OUT, `${name}.png`);
  await p.page.screenshot({ path: file, clip: { x: 0, y: Math.max(0, box.y), width: vp.width, height: Math.min(vp.height - Math.max(0, box.y), box.height) } });
  assert.ok(fs.statSync(file).size > 2000, `${file} has content`);
}

async function shot(p: WebviewPage, name: string): Promise<void> {
  const file = path.join(OUT, `${name}.png`);
  await p.page.mouse.move(0, 0);
  await p.page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 2000, `${file} has content`);
}

describe('webview: weight-file editor screenshots in three themes', function () {
  this.timeout(120_000);
  let file: string;
  let more: string;
  let bad: string;

  before(() => {
    fs.mkdirSync(OUT, { recursive: true });
    file = path.join(env.dir, 'mnist-mlp.safetensors');
    writeSafetensorsFile(file, trained().model.stateDict(), { format: 'pt', producer: 'nn-lens' });
    fs.writeFileSync(path.join(env.dir, 'mnist-mlp.nn.json'), MODEL_TEXT);
    fs.writeFileSync(path.join(env.dir, 'wide.nn.json'), MODEL_TEXT.replace('"out": 64', '"out": 128'));
    const sub = path.join(env.dir, 'more');
    fs.mkdirSync(sub);
    more = path.join(sub, 'units.safetensors');
    torch.manualSeed(0);
    const w1 = trained().model.stateDict().get('W1.weight');
    assert.ok(w1);
    writeSafetensorsFile(more, [['W1.units', w1.detach().contiguous().view([64, 28, 28])], ['big', torch.randn([3000, 1500])]]);
    bad = path.join(env.dir, 'truncated.safetensors');
    const header = Buffer.from('{"W1.weight":{"dtype":"F32","shape":[64,784],"data_offsets":[0,200704]}}');
    const pre = Buffer.alloc(8);
    pre.writeBigUInt64LE(BigInt(header.length));
    fs.writeFileSync(bad, Buffer.concat([pre, header, Buffer.alloc(1000)]));
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    it(`${theme}: the file, a slice, a downsampled tensor and the error page`, async () => {
      const { p } = await env.openFile(file, theme);
      await shot(p, `weights-editor-${theme}`);
      await hoverShot(p, 12, 340, `weights-editor-hover-${theme}`);

      const { p: q, host } = await env.openFile(more, theme);
      await q.page.locator('.slice').fill('[3, :, :]');
      await q.page.locator('.slice').press('Enter');
      await host.pump();
      await hoverShot(q, 10, 14, `weights-editor-slice-${theme}`);
      await q.page.locator('.tensor-table tr[data-name="big"]').click();
      await host.pump();
      await shot(q, `weights-editor-big-${theme}`);

      const { p: e } = await env.openFile(bad, theme);
      await shot(e, `weights-editor-error-${theme}`);
    });
  }
});
