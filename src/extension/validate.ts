/**
 * Validation of every message arriving from a webview (shared/DESIGN.md: the host never trusts the webview).
 * Pure: no `vscode` import, so the unit tests and the fuzz tests run it directly. A bad message gives an error
 * string naming the field and what was wrong; the caller logs it and ignores the message.
 */
import type { WebviewCommand, WebviewToHost } from '../protocol';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** What the current model allows: layer indices, the input size of a drawing, the class count. */
export interface MessageLimits {
  layers: number;
  inputSize: number;
  classes: number;
}

export const MAX_EXPRESSION_LENGTH = 500;
export const MAX_LOG_LENGTH = 2000;
const COMMANDS: readonly WebviewCommand[] = ['train', 'pause', 'resume', 'stop', 'evaluate', 'reset'];
const LOG_LEVELS = ['info', 'warn', 'error'] as const;

class Invalid extends Error {}

function field(o: Record<string, unknown>, name: string): unknown {
  if (!(name in o)) throw new Invalid(`missing field "${name}"`);
  return o[name];
}

function int(o: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = field(o, name);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Invalid(`"${name}" must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw new Invalid(`"${name}" = ${v} is out of range [${min}, ${max}]`);
  return v;
}

function str(o: Record<string, unknown>, name: string, maxLength: number): string {
  const v = field(o, name);
  if (typeof v !== 'string') throw new Invalid(`"${name}" must be a string, got ${describe(v)}`);
  if (v.length > maxLength) throw new Invalid(`"${name}" is ${v.length} characters long (at most ${maxLength})`);
  return v;
}

/**
 * Text from a webview made safe for one log line: line breaks, other control characters and bidirectional overrides
 * are shown as \uXXXX (a message could otherwise forge log lines or reorder what a reader sees).
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string quoted for a message: at most 40 characters, one line. */
function quote(v: string): string {
  return `"${oneLine((v.length > 40 ? v.slice(0, 40) + '…' : v).replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function pixels(o: Record<string, unknown>, size: number): number[] {
  const v = field(o, 'pixels');
  if (!Array.isArray(v)) throw new Invalid(`"pixels" must be an array of ${size} numbers, got ${describe(v)}`);
  if (v.length !== size) throw new Invalid(`"pixels" must hold ${size} values (the model's input), got ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    const p: unknown = v[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Invalid(`"pixels[${i}]" must be a grey level in [0, 1], got ${describe(p)}`);
  }
  return v as number[];
}

const REQUEST_ID_MAX = Number.MAX_SAFE_INTEGER;

/** Checks a message from the visualizer webview against the protocol and the current model. */
export function checkWebviewMessage(raw: unknown, limits: MessageLimits): Checked<WebviewToHost> {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(`expected a message object, got ${describe(raw)}`);
    const o = raw as Record<string, unknown>;
    const type = field(o, 'type');
    if (typeof type !== 'string') throw new Invalid(`"type" must be a string, got ${describe(type)}`);
    const lastLayer = Math.max(0, limits.layers - 1);
    const lastClass = Math.max(0, limits.classes - 1);
    const need = (what: string) => {
      if (limits.layers === 0) throw new Invalid(`${what}: the model has no layers`);
    };
    switch (type) {
      case 'ready':
        return { ok: true, value: { type } };
      case 'revealLayer':
      case 'selectLayer':
        need(type);
        return { ok: true, value: { type, layer: int(o, 'layer', 0, lastLayer) } };
      case 'predict':
        return { ok: true, value: { type, requestId: int(o, 'requestId', 0, REQUEST_ID_MAX), pixels: pixels(o, limits.inputSize) } };
      case 'inspect':
        return { ok: true, value: { type, requestId: int(o, 'requestId', 0, REQUEST_ID_MAX), expression: str(o, 'expression', MAX_EXPRESSION_LENGTH) } };
      case 'command': {
        const c = field(o, 'command');
        if (!(COMMANDS as readonly unknown[]).includes(c)) throw new Invalid(`"command" must be one of ${COMMANDS.join(', ')}, got ${describe(c)}`);
        return { ok: true, value: { type, command: c as WebviewCommand } };
      }
      case 'requestImages':
        return {
          ok: true,
          value: {
            type,
            requestId: int(o, 'requestId', 0, REQUEST_ID_MAX),
            trueLabel: int(o, 'trueLabel', 0, lastClass),
            predicted: int(o, 'predicted', 0, lastClass),
          },
        };
      case 'log': {
        const level = field(o, 'level');
        if (!(LOG_LEVELS as readonly unknown[]).includes(level)) throw new Invalid(`"level" must be one of ${LOG_LEVELS.join(', ')}, got ${describe(level)}`);
        const message = field(o, 'message');
        if (typeof message !== 'string') throw new Invalid(`"message" must be a string, got ${describe(message)}`);
        return { ok: true, value: { type, level: level as (typeof LOG_LEVELS)[number], message: oneLine(message.slice(0, MAX_LOG_LENGTH)) } };
      }
      default:
        throw new Invalid(`unknown message type ${describe(type)}`);
    }
  } catch (e) {
    if (e instanceof Invalid) {
      const t = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? ` ${quote((raw as { type: string }).type)}` : '';
      return { ok: false, error: `bad webview message${t}: ${e.message}` };
    }
    throw e;
  }
}
