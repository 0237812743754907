/**
 * The weight-file editor's page in headless Chromium, answered by the host logic the custom editor runs, on real
 * files: the 784-64-10 network trained by our engine on real digits (test/webview/fixtures/trained.ts), saved with
 * the data layer. Asserts what a user sees: the tensor list, heatmap colours, hover texts, tiles, the slice field,
 * PyTorch's print, the offer to load into a matching model file, and the error page of malformed files.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../src/engine';
import { writeSafetensorsFile } from '../../src/data/safetensors';
import { writeNpyFile } from '../../src/data/npy';
import { MODEL_TEXT, trained } from './fixtures/trained';
import { printed } from './harness/setup';
import { cellCentre, expectedLight, hover, maxAbs } from './harness/helpers';
import { EditorHost, useEditorBrowser } from './weights-editor-harness';
import type { WebviewPage } from './harness/browser';

const env = useEditorBrowser();
const HEAT = '.tensor-view .heatmap-canvas';

function tensorOf(name: string): torch.Tensor {
  const t = trained().model.stateDict().get(name);
  assert.ok(t, name);
  return t;
}

/** The texts of the list's rows, cell by cell. */
async function rows(p: WebviewPage): Promise<string[][]> {
  return p.page.locator('.tensor-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

async function selectRow(p: WebviewPage, name: string): Promise<void> {
  await p.page.locator(`.tensor-table tr[data-name="${name}"]`).click();
  await p.frames(1);
}

/** One 8-byte length, the JSON header, then the data: a safetensors file whatever the header says. */
function rawSafetensors(header: string, dataBytes: number, lengthOverride?: bigint): Buffer {
  const json = Buffer.from(header, 'utf8');
  const pre = Buffer.alloc(8);
  pre.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  return Buffer.concat([pre, json, Buffer.alloc(dataBytes)]);
}

describe('webview: weight-file editor in headless Chromium', function () {
  this.timeout(60_000);
  let trainedFile: string;
  let unitsFile: string;
  let npyFile: string;

  before(function () {
    this.timeout(60_000);
    const fx = trained();
    trainedFile = path.join(env.dir, 'mnist-mlp.safetensors');
    writeSafetensorsFile(trainedFile, fx.model.stateDict(), { format: 'pt', producer: 'nn-lens' });
    fs.writeFileSync(path.join(env.dir, 'mnist-mlp.nn.json'), MODEL_TEXT);
    fs.writeFileSync(path.join(env.dir, 'other.nn.json'), MODEL_TEXT.replace('"out": 64', '"out": 32'));
    const units = tensorOf('W1.weight').detach().contiguous().view([64, 28, 28]);
    torch.manualSeed(0);
    const big = torch.randn([3000, 1500]);
    const sub = path.join(env.dir, 'more');
    fs.mkdirSync(sub);
    unitsFile = path.join(sub, 'units.safetensors');
    writeSafetensorsFile(unitsFile, [['W1.units', units], ['big', big], ['steps', torch.tensor([3, 1, 4], { dtype: 'int64' })]]);
    npyFile = path.join(sub, 'w2.npy');
    writeNpyFile(npyFile, tensorOf('W2.weight').detach());
  });

  it('lists every tensor with dtype, shape, size and PyTorch\'s min/max/mean/std', async () => {
    const { p } = await env.openFile(trainedFile);
    assert.equal(await p.page.locator('.file-name').textContent(), 'mnist-mlp.safetensors');
    assert.equal(await p.page.locator('.file-summary').textContent(), 'safetensors · 199 KiB · 4 tensors · 50,890 values');
    const stat = (t: torch.Tensor): string[] => [printed(t.min().item()), printed(t.max().item()), printed(t.mean().item()), printed(t.std().item())];
    assert.deepEqual(await rows(p), [
      ['W1.weight', 'float32', '[64, 784]', '50,176 · 196 KiB', ...stat(tensorOf('W1.weight'))],
      ['W1.bias', 'float32', '[64]', '64 · 256 bytes', ...stat(tensorOf('W1.bias'))],
      ['W2.weight', 'float32', '[10, 64]', '640 · 2.5 KiB', ...stat(tensorOf('W2.weight'))],
      ['W2.bias', 'float32', '[10]', '10 · 40 bytes', ...stat(tensorOf('W2.bias'))],
    ]);
    assert.equal(await p.page.locator('.tensor-table tr[aria-selected="true"]').getAttribute('data-name'), 'W1.weight', 'the first tensor is shown');
    assert.equal(await p.page.locator('.metadata summary').textContent(), 'Metadata (2)');
  });

  it('draws a 2-D tensor as the heatmap: a known positive weight blue, a negative one red, hover names it', async () => {
    const { p } = await env.openFile(trainedFile);
    const w = tensorOf('W1.weight').toArray() as Float32Array;
    const m = maxAbs(w);
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] > w[pos]) pos = i;
      if (w[i] < w[neg]) neg = i;
    }
    for (const i of [pos, neg]) {
      const r = Math.floor(i / 784);
      const c = i % 784;
      const at = await cellCentre(p, HEAT, r, c);
      const [R, G, B] = await p.pixelAt(HEAT, at.x, at.y);
      assert.deepEqual([R, G, B], expectedLight(w[i], m), `colour of W1.weight[${r}, ${c}] = ${w[i]}`);
      if (w[i] > 0) assert.ok(B > R, 'positive is blue');
      else assert.ok(R > B, 'negative is red');
      await hover(p, HEAT, at);
      assert.equal(await p.page.locator('.tensor-view .tooltip').textContent(), `W1.weight[${r}, ${c}] = ${printed(w[i])}`);
    }
    assert.equal(await p.page.locator('.tensor-view .tile').count(), 64, 'one 28×28 tile per row of 784');
    assert.equal(await p.page.locator('.tiles-caption').textContent(), 'Rows as 28×28 images (784 = 28 × 28): 64 rows');
    assert.equal(await p.page.locator('.tensor-print').textContent(), tensorOf('W1.weight').detach().toString());
    assert.equal(await p.page.locator('.view-note').isHidden(), true, 'an exact picture has no downsampling note');
  });

  it('draws a 1-D tensor as a strip with hover values, and prints it as PyTorch does', async () => {
    const { p, host } = await env.openFile(trainedFile);
    await selectRow(p, 'W2.bias');
    await host.pump();
    const b = tensorOf('W2.bias').toArray() as Float32Array;
    assert.equal(await p.page.locator('.tensor-view .strip').isVisible(), true);
    assert.equal(await p.page.locator('.tensor-view .heatmap').isHidden(), true);
    const box = await p.contentBox('.tensor-view .strip-canvas');
    await p.page.mouse.move(box.x + box.width * (7.5 / 10), box.y + box.height / 2);
    await p.frames(1);
    assert.equal(await p.page.locator('.tensor-view .strip-readout').textContent(), `W2.bias[7] = ${printed(b[7])}`);
    assert.equal(await p.page.locator('.tensor-print').textContent(), tensorOf('W2.bias').detach().toString());
  });

  it('keyboard: arrow keys move through the list and show each tensor', async () => {
    const { p, host } = await env.openFile(trainedFile);
    await p.page.locator('.tensor-table tr[data-name="W1.weight"]').focus();
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    await host.pump();
    assert.equal(await p.page.locator('.tensor-table tr[aria-selected="true"]').getAttribute('data-name'), 'W2.weight');
    assert.equal(await p.page.locator('.tensor-name').textContent(), 'W2.weight');
    assert.match((await p.page.locator('.view-status').textContent()) ?? '', /^W2\.weight · \[10, 64\] · 640 values · min /);
  });

  it('shows a 3-D tensor through the slice field: [3, :, :] is unit 3 as 28×28, hover names the element', async () => {
    const { p, host } = await env.openFile(unitsFile);
    assert.equal(await p.page.locator('.tensor-name').textContent(), 'W1.units');
    assert.equal(await p.page.locator('.slice').inputValue(), '[0, :, :]', 'a 3-D tensor starts at its first 2-D slice');
    const units = tensorOf('W1.weight').detach().contiguous().view([64, 28, 28]);
    await p.page.locator('.slice').fill('[3, :, :]');
    await p.page.locator('.slice').press('Enter');
    await host.pump();
    assert.equal(await p.page.locator('.tensor-print').textContent(), units.index('3, :, :').toString());
    const at = await cellCentre(p, HEAT, 10, 20);
    await hover(p, HEAT, at);
    assert.equal(await p.page.locator('.tensor-view .tooltip').textContent(), `W1.units[3, 10, 20] = ${printed(units.at(3, 10, 20))}`);
    // A column slice is a strip; its hover names the element of the 3-D tensor.
    await p.page.locator('.slice').fill('[3, :, 5]');
    await p.page.locator('.slice').press('Enter');
    await host.pump();
    assert.equal(await p.page.locator('.tensor-view .strip').isVisible(), true);
    assert.equal(await p.page.locator('.tensor-print').textContent(), units.index('3, :, 5').toString());
    // The whole tensor has no picture, but its print.
    await p.page.locator('.slice').fill('');
    await p.page.locator('.slice').press('Enter');
    await host.pump();
    assert.equal(await p.page.locator('.view-note').textContent(), 'A 3-dimensional view has no picture: slice it to 2-D or 1-D, e.g. [0, :, :].');
    assert.equal(await p.page.locator('.tensor-print').textContent(), units.toString());
    // A bad slice gets PyTorch's message.
    await p.page.locator('.slice').fill('[64]');
    await p.page.locator('.slice').press('Enter');
    await host.pump();
    assert.equal(await p.page.locator('.view-error').textContent(), 'W1.units[64]: index 64 is out of bounds for dimension 0 with size 64');
  });

  it('draws a tensor larger than the screen from max-abs blocks and says so; hover names the exact element', async () => {
    const { p, host } = await env.openFile(unitsFile);
    await hover(p, HEAT, await cellCentre(p, HEAT, 1, 2));
    assert.match((await p.page.locator('.tensor-view .heatmap-readout').textContent()) ?? '', /^W1\.units\[0, 1, 2\] = /);
    await selectRow(p, 'big');
    await host.pump();
    assert.equal(await p.page.locator('.tensor-view .heatmap-readout').textContent(), '\u00a0', 'no text of the previous tensor is left');
    assert.equal(await p.page.locator('.view-note').textContent(),
      'Downsampled to fit the screen: 1,000 × 750 cells, each showing the value of largest magnitude (max-abs) in its 3 × 2 block of the [3000, 1500] view; the hover names that element. Slice to see every value.');
    torch.manualSeed(0);
    const big = torch.randn([3000, 1500]);
    const at = await cellCentre(p, HEAT, 100, 200);
    await hover(p, HEAT, at);
    const text = (await p.page.locator('.tensor-view .tooltip').textContent()) ?? '';
    const m = /^big\[(\d+), (\d+)\] = (\S+)$/.exec(text);
    assert.ok(m, text);
    const [r, c] = [Number(m[1]), Number(m[2])];
    assert.ok(r >= 300 && r < 303 && c >= 400 && c < 402, `the element ${r}, ${c} lies in block (100, 200)`);
    assert.equal(m[3], printed(big.at(r, c)));
    let best = 0;
    for (let i = 300; i < 303; i++) for (let j = 400; j < 402; j++) best = Math.max(best, Math.abs(big.at(i, j)));
    assert.equal(Math.abs(big.at(r, c)), best, 'it is the largest |value| of its block');
    assert.equal(await p.page.locator('.tensor-print').textContent(), big.toString());
  });

  it('shows int64 values without a decimal point, and a .npy array under its file name', async () => {
    const { p, host } = await env.openFile(unitsFile);
    await selectRow(p, 'steps');
    await host.pump();
    assert.deepEqual((await rows(p))[2].slice(0, 6), ['steps', 'int64', '[3]', '3 · 24 bytes', '1', '4']);
    assert.equal(await p.page.locator('.tensor-print').textContent(), 'tensor([3, 1, 4])');
    const { p: q } = await env.openFile(npyFile);
    assert.equal(await q.page.locator('.file-summary').textContent(), 'NumPy .npy · 2.6 KiB · 1 tensor · 640 values');
    assert.deepEqual((await rows(q))[0].slice(0, 4), ['w2', 'float32', '[10, 64]', '640 · 2.5 KiB']);
  });

  it('offers to load the weights into the model file beside them, and lists a near miss\'s mismatches', async () => {
    const { p } = await env.openFile(trainedFile);
    const match = p.page.locator('.offer.match');
    assert.equal(await match.count(), 1);
    assert.match((await match.textContent()) ?? '', /^mnist-mlp\.nn\.json has these keys and shapes/);
    await p.clearPosted();
    await match.getByRole('button', { name: /Load these weights into mnist-mlp\.nn\.json/ }).click();
    const uri = `file://${path.join(env.dir, 'mnist-mlp.nn.json')}`;
    assert.deepEqual(await p.posted(), [{ type: 'load', uri }]);
    await p.post({ type: 'loaded', uri, ok: true, message: 'Loaded 4 tensors into mnist-mlp.nn.json; its visualizer shows them.' });
    assert.equal(await match.locator('.load-result').textContent(), 'Loaded 4 tensors into mnist-mlp.nn.json; its visualizer shows them.');
    assert.equal(await p.page.locator('.offer.mismatch .model-name').textContent(), 'other.nn.json');
    assert.equal(await p.page.locator('.offer.mismatch .mismatch-list').textContent(), [
      '3 shape mismatches:',
      '  W1.weight: the model needs [32, 784], the weights hold [64, 784]',
      '  W1.bias: the model needs [32], the weights hold [64]',
      '  W2.weight: the model needs [10, 32], the weights hold [10, 64]',
    ].join('\n'));
  });

  it('in a restricted workspace the load button is off and says why', async () => {
    const p = await env.open();
    const host = new EditorHost(p, trainedFile);
    for (const m of host.initial(false)) await host.post(m);
    await host.pump();
    assert.equal(await p.page.locator('.offer.match button.load').isDisabled(), true);
    assert.equal(await p.page.locator('.offer.match .hint').textContent(), 'Loading weights needs a trusted workspace.');
    await host.close();
  });

  const MALFORMED: [string, () => Buffer, RegExp][] = [
    ['header length past the end', () => rawSafetensors('{}', 0, 1000n), /header length 1000 runs past the end of the file \(10 bytes\)/],
    ['offsets outside the file', () => rawSafetensors('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8), /tensor "w": data_offsets \[0, 16\] run past the end of the data \(8 bytes\): the file is truncated/],
    ['overlapping tensors', () => rawSafetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12), /tensor "b" overlaps the tensor before it/],
    ['dtype and shape against the byte count', () => rawSafetensors('{"w":{"dtype":"F64","shape":[3],"data_offsets":[0,12]}}', 12), /F64 of shape \[3\] needs 24 bytes, data_offsets \[0, 12\] hold 12/],
    ['an unsupported dtype', () => rawSafetensors('{"w":{"dtype":"I32","shape":[3],"data_offsets":[0,12]}}', 12), /dtype "I32" is not supported \(F32, F64, I64, U8, BOOL, F16, BF16\)/],
    ['a header that is not JSON', () => rawSafetensors('{"w": [1, 2', 0), /header is not valid JSON/],
  ];
  for (const [what, bytes, message] of MALFORMED) {
    it(`a safetensors file with ${what} shows the error page naming the problem`, async () => {
      const file = path.join(env.dir, `bad-${what.replace(/\W+/g, '-')}.safetensors`);
      fs.writeFileSync(file, bytes());
      const { p, host } = await env.openFile(file);
      assert.ok(host.error);
      assert.equal(await p.page.locator('.error-box h1').textContent(), `Cannot show ${path.basename(file)}`);
      const shown = (await p.page.locator('.error-message').textContent()) ?? '';
      assert.equal(shown, host.error);
      assert.match(shown, message);
      assert.ok(shown.startsWith(file), 'the message names the file');
      await p.clearPosted();
      await p.page.getByRole('button', { name: 'Reopen with another editor…' }).click();
      assert.deepEqual(await p.posted(), [{ type: 'reopenWith' }]);
    });
  }

  it('a .npy file that is not one shows the error page', async () => {
    const file = path.join(env.dir, 'text.npy');
    fs.writeFileSync(file, 'this is not numpy');
    const { p } = await env.openFile(file);
    assert.equal(await p.page.locator('.error-message').textContent(), `${file}: not a .npy file (missing the \\x93NUMPY magic)`);
  });

  it('ignores a malformed host message and reports it, and keeps working', async () => {
    const { p, host } = await env.openFile(trainedFile);
    await p.clearPosted();
    await p.post({ type: 'view', requestId: 1, view: { name: 'W1.weight', shape: [64, 784], picture: { rows: 64, cols: 784, data: new ArrayBuffer(12) } } });
    await p.post({ type: 'nonsense' });
    const logs = (await p.posted()).filter((m) => m.type === 'log');
    assert.equal(logs.length, 2);
    assert.match(JSON.stringify(logs[1]), /ignored malformed message: type: expected file\|stats/);
    await selectRow(p, 'W1.bias');
    await host.pump();
    assert.equal(await p.page.locator('.tensor-name').textContent(), 'W1.bias');
    assert.equal(await p.page.locator('.tensor-print').textContent(), tensorOf('W1.bias').detach().toString());
  });
});
