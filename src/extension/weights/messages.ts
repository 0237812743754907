/**
 * Validation of what the weight-file page sends (the host never trusts a webview): a message that is not one of
 * `WeightsWebviewToHost` with the right fields gives an error naming the field; the provider logs and ignores it.
 * A tensor name must be one of the file's; a model URI must be one the host offered. Pure: no `vscode`.
 */
import type { WeightsWebviewToHost } from '../../protocol';
import type { Checked } from '../validate';
import { MAX_INDEX_LENGTH } from './view';

export const MAX_LOG_LENGTH = 2000;
const LEVELS = ['info', 'warn', 'error'] as const;

class Invalid extends Error {}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function field(o: Record<string, unknown>, name: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(o, name)) throw new Invalid(`missing field "${name}"`);
  return o[name];
}

function str(o: Record<string, unknown>, name: string, max: number): string {
  const v = field(o, name);
  if (typeof v !== 'string') throw new Invalid(`"${name}" must be a string, got ${describe(v)}`);
  if (v.length > max) throw new Invalid(`"${name}" is ${v.length} characters long (at most ${max})`);
  return v;
}

export interface WeightsMessageContext {
  /** Is this the name of a tensor of the file? */
  hasTensor(name: string): boolean;
  /** Was this model URI offered to the page? */
  offered(uri: string): boolean;
}

export function checkWeightsMessage(raw: unknown, ctx: WeightsMessageContext): Checked<WeightsWebviewToHost> {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(`expected a message object, got ${describe(raw)}`);
    const o = raw as Record<string, unknown>;
    const type = o.type;
    if (typeof type !== 'string') throw new Invalid(`"type" must be a string, got ${describe(type)}`);
    switch (type) {
      case 'ready':
      case 'reopenWith':
        return { ok: true, value: { type } };
      case 'select': {
        const id = field(o, 'requestId');
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new Invalid(`"requestId" must be a non-negative integer, got ${describe(id)}`);
        const name = str(o, 'name', 100_000);
        if (!ctx.hasTensor(name)) throw new Invalid(`"name": the file has no tensor ${describe(name)}`);
        return { ok: true, value: { type, requestId: id, name, index: str(o, 'index', MAX_INDEX_LENGTH) } };
      }
      case 'load': {
        const uri = str(o, 'uri', 10_000);
        if (!ctx.offered(uri)) throw new Invalid(`"uri": ${describe(uri)} is not a model file offered for this weight file`);
        return { ok: true, value: { type, uri } };
      }
      case 'log': {
        const level = field(o, 'level');
        if (!(LEVELS as readonly unknown[]).includes(level)) throw new Invalid(`"level" must be one of ${LEVELS.join(', ')}, got ${describe(level)}`);
        const message = field(o, 'message');
        if (typeof message !== 'string') throw new Invalid(`"message" must be a string, got ${describe(message)}`);
        return { ok: true, value: { type, level: level as (typeof LEVELS)[number], message: message.slice(0, MAX_LOG_LENGTH) } };
      }
      default:
        throw new Invalid(`unknown message type ${describe(type)}`);
    }
  } catch (e) {
    if (e instanceof Invalid) {
      const t = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? ` "${(raw as { type: string }).type}"` : '';
      return { ok: false, error: `bad weight-editor message${t}: ${e.message}` };
    }
    throw e;
  }
}
