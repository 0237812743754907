/**
 * The visualizer's inbox, the path every webview message takes in the host (panel.ts feeds it
 * `onDidReceiveMessage`): fast-check sends broken messages of every WebviewToHost type and random non-messages;
 * each must be rejected, logged on one line naming what was wrong, reach no action and post nothing, and the panel
 * must still answer a real `predict` and `inspect` afterwards (the example model, the real inspector).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { HostToWebview, WebviewToHost } from '../../../src/protocol';
import { ModelState } from '../../../src/extension/state';
import { inspectExpression } from '../../../src/extension/inspect';
import { PanelInbox, type PanelActions } from '../../../src/extension/panel-inbox';
import { MAX_EXPRESSION_LENGTH } from '../../../src/extension/validate';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '../../../examples/mnist-mlp.nn.json'), 'utf8');
const TYPES: WebviewToHost['type'][] = ['ready', 'revealLayer', 'selectLayer', 'predict', 'inspect', 'command', 'requestImages', 'log'];

interface Lines {
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** The example model behind a real inbox; actions other than inspect record that they were reached. */
function setup(options: { perWindow?: number; windowMs?: number; now?: () => number } = {}) {
  const state = new ModelState('file:///ws/mnist-mlp.nn.json', () => ({ maxParameters: 10_000_000 }));
  state.update(EXAMPLE, 1);
  const posted: HostToWebview[] = [];
  const lines: Lines[] = [];
  const reached: string[] = [];
  const actions: PanelActions = {
    revealLayer: async (layer) => void reached.push(`revealLayer ${layer}`),
    runCommand: async (command) => void reached.push(`command ${command}`),
    inspect: (s, expression) => {
      reached.push(`inspect ${expression}`);
      return inspectExpression(s, expression);
    },
    images: async () => {
      reached.push('images');
      throw new Error('the test set is not loaded in this test');
    },
    ready: () => void reached.push('ready'),
  };
  const log = {
    info: (text: string) => void lines.push({ level: 'info', text }),
    warn: (text: string) => void lines.push({ level: 'warn', text }),
    error: (text: string) => void lines.push({ level: 'error', text }),
  };
  const inbox = new PanelInbox(state, actions, (m) => posted.push(m), log, options);
  return { state, inbox, posted, lines, reached };
}

const settle = () => new Promise((r) => setImmediate(r));

// ---- values that are surely wrong for a field ----
const notANumber = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), fc.bigInt());
const notAnInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom(Number.NaN, Infinity, -Infinity),
  notANumber,
);
const wrongInt = (min: number, max: number) =>
  fc.oneof(notAnInteger, fc.integer({ min: -1e9, max: min - 1 }), max >= Number.MAX_SAFE_INTEGER ? fc.constantFrom(2 ** 53, 2 ** 60, 1e300) : fc.integer({ min: max + 1, max: 1e9 }));
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const wrongEnum = (allowed: readonly string[]) => fc.oneof(fc.string({ maxLength: 12 }).filter((s) => !allowed.includes(s)), notAString);
const badPixel = fc.oneof(fc.double({ min: -1e6, max: -1e-9, noNaN: true }), fc.double({ min: 1.000001, max: 1e6, noNaN: true }), fc.constantFrom(Number.NaN, Infinity, '0.5', null, undefined, true));
const wrongPixels = fc.oneof(
  notANumber.filter((v) => !Array.isArray(v)),
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
  fc.integer({ min: 785, max: 2000 }).map((n) => new Array<number>(n).fill(0)),
  fc.tuple(fc.integer({ min: 0, max: 783 }), badPixel).map(([i, bad]) => {
    const px: unknown[] = new Array<number>(784).fill(0.5);
    px[i] = bad;
    return px;
  }),
  fc.integer({ min: 0, max: 783 }).map((i) => {
    const px: unknown[] = new Array<number>(784).fill(0);
    delete px[i]; // a hole
    return px;
  }),
);

const REQUEST = { ok: fc.nat(), bad: wrongInt(0, Number.MAX_SAFE_INTEGER) };
const FIELDS: Record<WebviewToHost['type'], Record<string, { ok: fc.Arbitrary<unknown>; bad: fc.Arbitrary<unknown> }>> = {
  ready: {},
  revealLayer: { layer: { ok: fc.integer({ min: 0, max: 3 }), bad: wrongInt(0, 3) } },
  selectLayer: { layer: { ok: fc.integer({ min: 0, max: 3 }), bad: wrongInt(0, 3) } },
  predict: { requestId: REQUEST, pixels: { ok: fc.constant(new Array<number>(784).fill(0.25)), bad: wrongPixels } },
  inspect: { requestId: REQUEST, expression: { ok: fc.constant('W1.bias'), bad: fc.oneof(notAString, fc.string({ minLength: MAX_EXPRESSION_LENGTH + 1, maxLength: MAX_EXPRESSION_LENGTH + 50 })) } },
  command: { command: { ok: fc.constantFrom('train', 'pause', 'stop'), bad: wrongEnum(['train', 'pause', 'resume', 'stop', 'evaluate', 'reset']) } },
  requestImages: { requestId: REQUEST, trueLabel: { ok: fc.integer({ min: 0, max: 9 }), bad: wrongInt(0, 9) }, predicted: { ok: fc.integer({ min: 0, max: 9 }), bad: wrongInt(0, 9) } },
  log: { level: { ok: fc.constantFrom('info', 'warn'), bad: wrongEnum(['info', 'warn', 'error']) }, message: { ok: fc.string(), bad: notAString } },
};

/** A message of `type` with every field valid except at least one (wrong value or missing), plus junk fields. */
function brokenMessage(type: WebviewToHost['type']): fc.Arbitrary<Record<string, unknown>> {
  const fields = FIELDS[type];
  const names = Object.keys(fields);
  const junk = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== 'type' && !names.includes(k) && k !== '__proto__'), fc.anything({ maxDepth: 1 }), { maxKeys: 3 });
  if (names.length === 0) {
    // `ready` has no field to break: its type is what goes wrong.
    const wrongType = fc.oneof(fc.constantFrom('Ready', ' ready', 'ready\n', 'READY', 'ready\u202e'), fc.integer(), fc.constant(null));
    return fc.tuple(wrongType, junk).map(([t, j]) => ({ ...j, type: t }));
  }
  const valid = fc.record(Object.fromEntries(names.map((n) => [n, fields[n].ok])));
  const breaks = fc.subarray(names, { minLength: 1 }).chain((broken) =>
    fc.tuple(...broken.map((n) => fc.oneof(fields[n].bad.map((v) => ({ n, v, drop: false })), fc.constant({ n, v: undefined as unknown, drop: true })))),
  );
  return fc.tuple(valid, breaks, junk).map(([v, bs, j]) => {
    const m: Record<string, unknown> = { ...j, ...v, type };
    for (const b of bs) {
      if (b.drop) delete m[b.n];
      else m[b.n] = b.v;
    }
    return m;
  });
}

const nonMessage = fc.oneof(
  fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt()),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.object({ maxDepth: 2 }).map((o) => {
    const c: Record<string, unknown> = { ...o };
    delete c.type;
    return c;
  }),
  fc.tuple(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 }), fc.array(fc.string())), fc.object({ maxDepth: 1 })).map(([t, o]) => ({ ...o, type: t })),
  fc.string({ maxLength: 30 }).filter((t) => !(TYPES as string[]).includes(t)).map((t) => ({ type: t })),
);

describe('visualizer inbox: every webview message through the host\'s checks (fast-check, fixed seeds)', () => {
  it('rejects and logs broken messages of every type, reaching nothing, and still answers predict and inspect', async () => {
    let clock = 0;
    // One message per "second": every rejection is logged on its own line.
    const env = setup({ now: () => (clock += 1000) });
    const seen = new Set<string>();
    let cases = 0;
    const check = (m: unknown, type: string | null) => {
      cases++;
      const before = env.lines.length;
      let ok = true;
      assert.doesNotThrow(() => (ok = env.inbox.receive(m)));
      if (ok) assert.fail(`accepted ${String(JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).slice(0, 200)}`);
      assert.equal(env.lines.length, before + 1, 'one log line per rejection');
      const line = env.lines[env.lines.length - 1];
      assert.equal(line.level, 'warn');
      assert.match(line.text, /^visualizer: ignored bad webview message/);
      // eslint-disable-next-line no-control-regex -- a log line holds no line break or control character
      assert.doesNotMatch(line.text, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      if (type) {
        assert.ok(line.text.startsWith(`visualizer: ignored bad webview message "${type}": `), line.text);
        seen.add(type);
      }
    };
    fc.assert(
      fc.property(fc.constantFrom(...TYPES).chain((t) => brokenMessage(t).map((m) => [t, m] as const)), ([t, m]) => check(m, typeof m.type === 'string' && t !== 'ready' ? t : null)),
      { seed: 7007, numRuns: 3000 },
    );
    fc.assert(fc.property(nonMessage, (m) => check(m, null)), { seed: 7008, numRuns: 1000 });
    await settle();
    assert.deepEqual([...seen].sort(), TYPES.filter((t) => t !== 'ready').sort(), 'every type with fields was broken');
    assert.equal(env.inbox.rejected, cases);
    assert.equal(env.inbox.accepted, 0);
    assert.equal(env.reached.join(', '), '', 'no rejected message reached an action');
    assert.equal(env.posted.length, 0, 'nothing was posted back');

    // The panel keeps working: a drawing is predicted with the model's softmax, an expression printed as PyTorch.
    assert.equal(env.inbox.receive({ type: 'predict', requestId: 41, pixels: new Array<number>(784).fill(0.5) }), true);
    assert.equal(env.inbox.receive({ type: 'inspect', requestId: 42, expression: 'W1.weight[:2, :3]' }), true);
    await settle();
    const [prediction, inspected] = env.posted;
    assert.ok(prediction?.type === 'prediction' && prediction.requestId === 41);
    assert.deepEqual(prediction.probs, env.state.predict(new Array<number>(784).fill(0.5)));
    assert.equal(prediction.probs.length, 10);
    assert.ok(Math.abs(prediction.probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(inspected?.type === 'inspectResult' && inspected.requestId === 42);
    // torch.manual_seed(0); nn.Linear(784, 64).weight[:2, :3]
    assert.equal(inspected.text, 'tensor([[-0.0003,  0.0192, -0.0294],\n        [-0.0198, -0.0150, -0.0104]], grad_fn=<SliceBackward0>)');
    console.log(`      ${cases} bad messages rejected and logged (${cases - 1000} broken messages of ${TYPES.length} types, 1000 non-messages)`);
  });

  it('logs a burst one line per message up to 20 a second, then counts the rest in one line', async () => {
    // The burst arrives within one window (a frozen clock); the summary's timer is real (40 ms).
    const env = setup({ windowMs: 40, now: () => 0 });
    for (let i = 0; i < 1000; i++) env.inbox.receive({ type: 'selectLayer', layer: 100 + i });
    assert.equal(env.lines.length, 20);
    assert.equal(env.lines[0].text, 'visualizer: ignored bad webview message "selectLayer": "layer" = 100 is out of range [0, 3]');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(env.lines.length, 21);
    assert.equal(env.lines[20].text, 'visualizer: ignored 980 more bad webview messages (at most 20 a second are logged one by one)');
    assert.equal(env.inbox.rejected, 1000);
    assert.equal(env.inbox.receive({ type: 'selectLayer', layer: 2 }), true);
    assert.equal(env.state.selectedLayer, 2);
  });

  it('keeps log lines to one line: a message\'s line breaks and bidi overrides are escaped', async () => {
    const env = setup();
    env.inbox.receive({ type: 'log', level: 'error', message: 'boom\n2099-01-01 [info] forged line \u202eevil' });
    env.inbox.receive({ type: 'nope\n[error] forged', x: 1 });
    await settle();
    assert.deepEqual(env.lines.map((l) => [l.level, l.text]), [
      ['error', 'visualizer: boom\\u000a2099-01-01 [info] forged line \\u202eevil'],
      ['warn', 'visualizer: ignored bad webview message "nope\\u000a[error] forged": unknown message type "nope\\u000a[error] forged"'],
    ]);
  });

  it('an action that fails is logged, and a failed inspection is answered with its error', async () => {
    const env = setup();
    assert.equal(env.inbox.receive({ type: 'requestImages', requestId: 1, trueLabel: 3, predicted: 5 }), true);
    assert.equal(env.inbox.receive({ type: 'inspect', requestId: 2, expression: 'W9.weight' }), true);
    await settle();
    assert.deepEqual(env.lines, [{ level: 'error', text: 'visualizer: requestImages failed: the test set is not loaded in this test' }]);
    const r = env.posted[0];
    assert.ok(r?.type === 'inspectResult' && r.requestId === 2 && r.text === '' && /W9/.test(r.error ?? ''), JSON.stringify(r));
  });
});
