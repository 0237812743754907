/**
 * What the visualizer panel does with each message its webview posts, without `vscode` (so the unit and fuzz tests
 * run the very same path): check it against the protocol and the current model (validate.ts), log and drop a bad
 * one, answer a good one. Nothing a webview sends can throw out of `receive`. Rejections are logged one by one up
 * to `perWindow` a second, then counted in one summary line, so a flood cannot fill the log.
 */
import type { HostToWebview, WebviewCommand, WebviewToHost } from '../protocol';
import { assertNever } from '../protocol';
import type { InspectResult } from './inspect';
import type { ModelState } from './state';
import { checkWebviewMessage, oneLine, type MessageLimits } from './validate';

/** The part of VS Code's LogOutputChannel the inbox writes to. */
export interface InboxLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What a message may ask of the rest of the extension (the panel binds these to its model file). */
export interface PanelActions {
  revealLayer(layer: number): Promise<void>;
  runCommand(command: WebviewCommand): Promise<void>;
  inspect(state: ModelState, expression: string): InspectResult;
  images(state: ModelState, trueLabel: number, predicted: number): Promise<{ images: ArrayBuffer; labels: number[]; indices: number[] }>;
  /** The page listens (`ready`): replay the state to it. */
  ready(): void;
}

export interface InboxOptions {
  /** Rejections logged one by one per window; the rest are counted. */
  perWindow: number;
  windowMs: number;
  now(): number;
}

const DEFAULTS: InboxOptions = { perWindow: 20, windowMs: 1000, now: () => Date.now() };

function messageOf(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e));
}

/** What the current model allows a message to name: its layers, the size of a drawing, its classes. */
export function limitsOf(state: ModelState): MessageLimits {
  const s = state.analysis.summary;
  return { layers: s.layers.length, inputSize: s.inputShape.reduce((a, b) => a * b, 1), classes: Math.max(1, s.classNames.length) };
}

export class PanelInbox {
  /** Messages rejected, and messages accepted and handled, since the panel opened. */
  rejected = 0;
  accepted = 0;
  private readonly opts: InboxOptions;
  private windowStart = -Infinity;
  private loggedInWindow = 0;
  private suppressed = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly state: ModelState,
    private readonly actions: PanelActions,
    private readonly post: (m: HostToWebview) => void,
    private readonly log: InboxLog,
    options: Partial<InboxOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  /** Checks and handles one message from the webview; false when it was rejected (and logged). Never throws. */
  receive(raw: unknown): boolean {
    let m: WebviewToHost;
    try {
      const checked = checkWebviewMessage(raw, limitsOf(this.state));
      if (!checked.ok) {
        this.reject(checked.error);
        return false;
      }
      m = checked.value;
    } catch (e) {
      this.reject(`bad webview message: checking it failed: ${messageOf(e)}`);
      return false;
    }
    this.accepted++;
    this.handle(m).catch((e: unknown) => this.log.error(`visualizer: ${m.type} failed: ${messageOf(e)}`));
    return true;
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.actions.ready();
        return;
      case 'revealLayer':
        await this.actions.revealLayer(m.layer);
        return;
      case 'selectLayer':
        this.state.selectedLayer = m.layer;
        return;
      case 'predict':
        try {
          this.post({ type: 'prediction', requestId: m.requestId, probs: this.state.predict(m.pixels) });
        } catch (e) {
          this.log.warn(`visualizer: predict: ${messageOf(e)}`);
        }
        return;
      case 'inspect':
        try {
          const r = this.actions.inspect(this.state, m.expression);
          this.post({ type: 'inspectResult', requestId: m.requestId, expression: m.expression, text: r.text, ...(r.tensor ? { tensor: r.tensor } : {}) });
        } catch (e) {
          this.post({ type: 'inspectResult', requestId: m.requestId, expression: m.expression, text: '', error: e instanceof Error ? e.message : String(e) });
        }
        return;
      case 'command':
        await this.actions.runCommand(m.command);
        return;
      case 'requestImages': {
        const r = await this.actions.images(this.state, m.trueLabel, m.predicted);
        this.post({ type: 'images', requestId: m.requestId, ...r });
        return;
      }
      case 'log':
        this.log[m.level](`visualizer: ${m.message}`);
        return;
      default:
        assertNever(m);
    }
  }

  private reject(error: string): void {
    this.rejected++;
    const t = this.opts.now();
    if (t - this.windowStart >= this.opts.windowMs) {
      this.flushSuppressed();
      this.windowStart = t;
      this.loggedInWindow = 0;
    }
    if (this.loggedInWindow < this.opts.perWindow) {
      this.loggedInWindow++;
      this.log.warn(`visualizer: ignored ${error}`);
      return;
    }
    this.suppressed++;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushSuppressed();
    }, Math.max(0, this.windowStart + this.opts.windowMs - t));
  }

  private flushSuppressed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const n = this.suppressed;
    this.suppressed = 0;
    this.log.warn(`visualizer: ignored ${n} more bad webview message${n === 1 ? '' : 's'} (at most ${this.opts.perWindow} a second are logged one by one)`);
  }

  /** Logs what is still counted. */
  dispose(): void {
    this.flushSuppressed();
  }
}
