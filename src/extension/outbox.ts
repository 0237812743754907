/**
 * Flow control of what the host posts to a webview. A message of a "latest only" type (weights, the training
 * state, samples, an evaluation) replaces the previous one of its type: while one is on its way to the page (its
 * postMessage has not settled), only the latest waits. A page slower than the run (a loaded machine, a remote
 * window) then gets fewer updates instead of a growing queue, which would also hold up everything behind it on the
 * same connection. Other messages (replies, the model, the cursor) go at once, in order. Pure: the panel gives it
 * its postMessage.
 */
import type { HostToWebview } from '../protocol';

export const LATEST_ONLY: ReadonlySet<HostToWebview['type']> = new Set(['weights', 'training', 'samples', 'evaluation']);

export class Outbox {
  private readonly inFlight = new Set<HostToWebview['type']>();
  private readonly waiting = new Map<HostToWebview['type'], HostToWebview>();
  private closed = false;

  /** `deliver` posts one message and settles when the page has it (or failed: `failed` is told). */
  constructor(
    private readonly deliver: (m: HostToWebview) => PromiseLike<unknown>,
    private readonly failed: (m: HostToWebview, e: unknown) => void,
  ) {}

  send(m: HostToWebview): void {
    if (this.closed) return;
    const latestOnly = LATEST_ONLY.has(m.type);
    if (latestOnly) {
      if (this.inFlight.has(m.type)) {
        this.waiting.set(m.type, m);
        return;
      }
      this.inFlight.add(m.type);
    }
    const settled = () => {
      if (!latestOnly) return;
      this.inFlight.delete(m.type);
      const next = this.waiting.get(m.type);
      if (next) {
        this.waiting.delete(m.type);
        this.send(next);
      }
    };
    let p: PromiseLike<unknown>;
    try {
      p = this.deliver(m);
    } catch (e) {
      this.failed(m, e);
      settled();
      return;
    }
    p.then(settled, (e: unknown) => {
      this.failed(m, e);
      settled();
    });
  }

  /** Drops the waiting updates (an `init` that carries all of them is being sent). */
  dropWaiting(): void {
    this.waiting.clear();
  }

  /** Messages held back right now, by type (tests read it). */
  get held(): HostToWebview['type'][] {
    return [...this.waiting.keys()];
  }

  close(): void {
    this.closed = true;
    this.waiting.clear();
  }
}
