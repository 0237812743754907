/**
 * The visualizer's outbox: while an update is on its way to a slow page, newer ones of its kind replace each other
 * instead of queueing; replies and other messages are never held or dropped.
 */
import { strict as assert } from 'node:assert';
import type { HostToWebview } from '../../../src/protocol';
import { Outbox } from '../../../src/extension/outbox';

/** A page that takes each message only when the test says so. */
function slowPage() {
  const delivered: HostToWebview[] = [];
  const pending: { m: HostToWebview; done: () => void; fail: (e: unknown) => void }[] = [];
  const failures: string[] = [];
  const box = new Outbox(
    (m) =>
      new Promise<boolean>((resolve, reject) => {
        delivered.push(m);
        pending.push({ m, done: () => resolve(true), fail: reject });
      }),
    (m, e) => failures.push(`${m.type}: ${e instanceof Error ? e.message : String(e)}`),
  );
  const take = async (type: HostToWebview['type']) => {
    const i = pending.findIndex((p) => p.m.type === type);
    assert.ok(i >= 0, `a ${type} message is on its way`);
    pending.splice(i, 1)[0].done();
    await new Promise((r) => setImmediate(r));
  };
  return { box, delivered, pending, failures, take };
}

const weights = (step: number): HostToWebview => ({ type: 'weights', version: 1, runId: 1, step, weights: [] });
const training = (n: number): HostToWebview => ({ type: 'training', runId: 1, training: { runId: 1, status: 'running', points: [], epochs: [], editMarkers: [], message: `update ${n}` } });
const steps = (ms: HostToWebview[]) => ms.map((m) => (m.type === 'weights' ? m.step : m.type));

describe('visualizer outbox (flow control to the page)', () => {
  it('sends the first update at once, keeps only the latest while it is on its way, then sends that', async () => {
    const p = slowPage();
    for (let step = 1; step <= 50; step++) p.box.send(weights(step));
    assert.deepEqual(steps(p.delivered), [1]);
    assert.deepEqual(p.box.held, ['weights']);
    await p.take('weights');
    assert.deepEqual(steps(p.delivered), [1, 50], 'steps 2-49 were replaced by 50');
    await p.take('weights');
    assert.deepEqual(p.box.held, []);
    p.box.send(weights(51));
    assert.deepEqual(steps(p.delivered), [1, 50, 51], 'nothing on its way: sent at once');
  });

  it('holds each kind on its own and never holds replies or model messages', async () => {
    const p = slowPage();
    p.box.send(weights(1));
    p.box.send(training(1));
    p.box.send(weights(2));
    p.box.send(training(2));
    p.box.send(training(3));
    p.box.send({ type: 'prediction', requestId: 1, probs: [1] });
    p.box.send({ type: 'prediction', requestId: 2, probs: [1] });
    p.box.send({ type: 'cursor', version: 1, layer: 2 });
    assert.deepEqual(steps(p.delivered), [1, 'training', 'prediction', 'prediction', 'cursor']);
    await p.take('training');
    const last = p.delivered[p.delivered.length - 1];
    assert.ok(last.type === 'training' && last.training.message === 'update 3', 'the latest training state');
    await p.take('weights');
    assert.deepEqual(steps(p.delivered).slice(-1), [2]);
  });

  it('an init drops what waits; a failed post is reported and does not block the next', async () => {
    const p = slowPage();
    p.box.send(weights(1));
    p.box.send(weights(2));
    p.box.dropWaiting();
    await p.take('weights');
    assert.deepEqual(steps(p.delivered), [1]);
    p.box.send(weights(3));
    p.box.send(weights(4));
    p.pending.splice(0, 1)[0].fail(new Error('the webview is gone'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(p.failures, ['weights: the webview is gone']);
    assert.deepEqual(steps(p.delivered), [1, 3, 4]);
    p.box.close();
    p.box.send(weights(5));
    assert.deepEqual(steps(p.delivered), [1, 3, 4], 'nothing after close');
  });
});
