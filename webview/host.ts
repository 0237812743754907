/**
 * The link to the extension host: `acquireVsCodeApi()` (callable once), typed posting, and the state VS Code keeps
 * for a hidden or restored panel (`getState`/`setState`, JSON only).
 */
import type { WebviewToHost, ModelSummary } from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

/** What the panel remembers across hide/restore (UI choices, and the last model so it draws before `init`). */
export interface PersistedState {
  v: 1;
  collapsed: Record<string, boolean>;
  selectedLayer: number | null;
  showGrad: boolean;
  sampleIndex: number;
  inspector: { expression: string; history: string[] };
  model: ModelSummary | null;
}

export function defaultState(): PersistedState {
  return { v: 1, collapsed: {}, selectedLayer: null, showGrad: false, sampleIndex: 0, inspector: { expression: '', history: [] }, model: null };
}

/** Keeps the fields of a saved state that have the right types; anything else falls back to the default. */
export function restoreState(raw: unknown): PersistedState {
  const d = defaultState();
  if (typeof raw !== 'object' || raw === null) return d;
  const r = raw as Partial<Record<keyof PersistedState, unknown>>;
  if (r.v !== 1) return d;
  if (typeof r.collapsed === 'object' && r.collapsed !== null) {
    for (const [k, v] of Object.entries(r.collapsed)) if (typeof v === 'boolean') d.collapsed[k] = v;
  }
  if (typeof r.selectedLayer === 'number' && Number.isInteger(r.selectedLayer)) d.selectedLayer = r.selectedLayer;
  if (typeof r.showGrad === 'boolean') d.showGrad = r.showGrad;
  if (typeof r.sampleIndex === 'number' && Number.isInteger(r.sampleIndex) && r.sampleIndex >= 0) d.sampleIndex = r.sampleIndex;
  const ins = r.inspector as { expression?: unknown; history?: unknown } | undefined;
  if (ins && typeof ins.expression === 'string') d.inspector.expression = ins.expression;
  if (ins && Array.isArray(ins.history)) d.inspector.history = ins.history.filter((x): x is string => typeof x === 'string').slice(-50);
  if (typeof r.model === 'object' && r.model !== null) d.model = r.model as ModelSummary;
  return d;
}

export class Host {
  private readonly api: VsCodeApi;
  readonly state: PersistedState;
  private saveTimer = 0;

  constructor() {
    this.api = acquireVsCodeApi();
    this.state = restoreState(this.api.getState());
  }

  post(msg: WebviewToHost): void {
    this.api.postMessage(msg);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  /** Saves the state soon (coalesced). */
  save(): void {
    if (this.saveTimer) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = 0;
      this.api.setState(this.state);
    }, 50);
  }
}
