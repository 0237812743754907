/**
 * The visualizer app: builds the collapsible sections, checks and dispatches the host's messages (malformed ones
 * are ignored and reported with a `log` message, stale ones dropped), and redraws the weight views on animation
 * frames. Each redraw is measured as `nnlens:render` in the page's performance timeline.
 */
import { assertNever, type HostToWebview, type LayerInfo, type SampleSet } from '../src/protocol';
import { h, section, type Section } from './dom';
import { Host } from './host';
import { Store, type Samples } from './store';
import { Freshness } from './stale';
import { readTheme, watchTheme, type Theme } from './theme';
import { validateHostMessage, Invalid } from './validate';
import { fromPayload, toFloat32, toUint8, type BinaryLike } from './tensor';
import type { ViewContext } from './views/context';
import { ArchitectureView } from './views/architecture';
import { WeightsView } from './views/weights';
import { HiddenUnitsView } from './views/hidden';
import { PredictionsView } from './views/predictions';
import { TrainingView } from './views/training';
import { EvaluationView } from './views/evaluation';
import { InspectorView } from './views/inspector';

const SECTIONS = [
  ['architecture', 'Architecture'],
  ['weights', 'Weights'],
  ['hidden', 'Hidden units'],
  ['predictions', 'Predictions'],
  ['training', 'Training'],
  ['evaluation', 'Evaluation'],
  ['inspector', 'Tensor inspector'],
] as const;
type SectionId = (typeof SECTIONS)[number][0];

const MAX_LOGS = 100;

function toSamples(s: SampleSet): Samples {
  const count = s.labels.length;
  const probs = toFloat32(s.probs as BinaryLike);
  return { images: toUint8(s.images as BinaryLike), labels: s.labels.slice(), probs, classes: count ? probs.length / count : 0, count };
}

export class App {
  readonly host = new Host();
  readonly store = new Store();
  private readonly fresh = new Freshness();
  private theme: Theme = readTheme();
  private readonly sections = new Map<SectionId, Section>();
  private readonly architecture: ArchitectureView;
  private readonly weights: WeightsView;
  private readonly hidden: HiddenUnitsView;
  private readonly predictions: PredictionsView;
  private readonly training: TrainingView;
  private readonly evaluation: EvaluationView;
  private readonly inspector: InspectorView;
  private frame = 0;
  private logs = 0;
  private selected: number | null;

  constructor(root: HTMLElement) {
    const ctx: ViewContext = {
      host: this.host,
      store: this.store,
      theme: () => this.theme,
      selectLayer: (i) => this.selectLayer(i, true),
      requestRender: () => this.requestRender(),
    };
    this.selected = this.host.state.selectedLayer;
    this.architecture = new ArchitectureView(ctx);
    this.weights = new WeightsView(ctx);
    this.hidden = new HiddenUnitsView(ctx);
    this.predictions = new PredictionsView(ctx);
    this.training = new TrainingView(ctx);
    this.evaluation = new EvaluationView(ctx);
    this.inspector = new InspectorView(ctx);
    const bodies: Record<SectionId, HTMLElement> = {
      architecture: this.architecture.element, weights: this.weights.element, hidden: this.hidden.element,
      predictions: this.predictions.element, training: this.training.element, evaluation: this.evaluation.element, inspector: this.inspector.element,
    };
    const main = h('main', { class: 'nnlens', 'aria-label': 'NN Lens visualizer' });
    for (const [id, title] of SECTIONS) {
      const s = section(`view-${id}`, title, !this.host.state.collapsed[id], (open) => {
        this.host.state.collapsed[id] = !open;
        this.host.save();
        if (open) this.renderSection(id);
      });
      s.body.append(bodies[id]);
      this.sections.set(id, s);
      main.append(s.root);
    }
    root.append(main);
    watchTheme(() => {
      this.theme = readTheme();
      this.renderAll();
    });
    new ResizeObserver(() => this.resize()).observe(main);
    this.watchPixelRatio();
    const saved = this.host.state.model;
    if (saved) {
      // A restored panel draws what it last showed while the host replays the state.
      this.store.model = saved;
      this.afterModel();
    }
  }

  /** Tells the host the page is listening; it answers with `init`. */
  start(): void {
    this.host.post({ type: 'ready' });
  }

  /** Entry point for every message from the host. */
  handle(data: unknown): void {
    let msg: HostToWebview;
    try {
      msg = validateHostMessage(data);
    } catch (e) {
      this.report('warn', `ignored malformed message: ${e instanceof Invalid ? e.message : String(e)}`);
      return;
    }
    try {
      this.apply(msg);
    } catch (e) {
      this.report('error', `failed to show ${msg.type}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }

  private report(level: 'warn' | 'error', message: string): void {
    if (this.logs >= MAX_LOGS) return;
    this.logs++;
    this.host.log(level, this.logs === MAX_LOGS ? `${message} (further problems not reported)` : message);
  }

  private apply(msg: HostToWebview): void {
    const store = this.store;
    switch (msg.type) {
      case 'init':
        this.fresh.reset(msg.version, msg.runId);
        store.model = msg.model;
        store.weights = new Map(msg.weights.map((w) => [w.name, fromPayload(w)]));
        store.grads = new Map();
        store.step = msg.step ?? 0;
        store.training = msg.training;
        store.samples = msg.samples ? toSamples(msg.samples) : null;
        store.evaluation = msg.evaluation;
        this.selected = this.validLayer(msg.selectedLayer) ?? this.validLayer(this.selected) ?? store.linears()[0]?.index ?? null;
        this.afterModel();
        this.renderAll();
        return;
      case 'model': {
        if (!this.fresh.acceptVersion(msg.version)) return;
        store.model = msg.model;
        for (const key of [...store.weights.keys()]) {
          if (msg.reinitialised.some((n) => key === n || key.startsWith(`${n}.`))) store.weights.delete(key);
        }
        this.selected = this.validLayer(this.selected) ?? store.linears()[0]?.index ?? null;
        this.afterModel();
        this.renderAll();
        return;
      }
      case 'weights':
        if (!this.fresh.acceptWeights({ runId: msg.runId, version: msg.version, step: msg.step })) return;
        for (const w of msg.weights) store.weights.set(w.name, fromPayload(w));
        store.grads = new Map((msg.grads ?? []).map((g) => [g.name, fromPayload(g)]));
        store.step = msg.step;
        this.requestRender();
        return;
      case 'training':
        if (!this.fresh.acceptRun(msg.runId)) return;
        store.training = msg.training;
        this.renderSection('training');
        if (!store.evaluation) this.renderSection('evaluation');
        return;
      case 'samples':
        if (!this.fresh.acceptSamples({ runId: msg.runId, version: msg.version, step: msg.step })) return;
        store.samples = toSamples(msg.samples);
        this.renderSection('predictions');
        return;
      case 'evaluation':
        if (!this.fresh.acceptRun(msg.runId)) return;
        store.evaluation = msg.result;
        this.renderSection('evaluation');
        return;
      case 'cursor':
        if (!this.fresh.acceptVersion(msg.version)) return;
        this.architecture.setCursor(msg.layer);
        return;
      case 'prediction':
        this.predictions.drawpad.onPrediction(msg.requestId, msg.probs);
        return;
      case 'inspectResult':
        this.inspector.onResult(msg.requestId, msg.expression, msg.text, msg.tensor, msg.error);
        return;
      case 'images':
        this.evaluation.onImages(msg.requestId, msg.images as BinaryLike, msg.labels, msg.indices);
        return;
      default:
        assertNever(msg);
    }
  }

  private validLayer(i: number | null | undefined): number | null {
    if (i === null || i === undefined) return null;
    return this.store.linears().some((l) => l.index === i) ? i : null;
  }

  private selectedLayer(): LayerInfo | null {
    return this.store.linears().find((l) => l.index === this.selected) ?? null;
  }

  private selectLayer(index: number, tellHost: boolean): void {
    if (this.validLayer(index) === null) return;
    this.selected = index;
    this.host.state.selectedLayer = index;
    this.host.save();
    this.weights.updateLayers(index);
    if (tellHost) this.host.post({ type: 'selectLayer', layer: index });
    this.requestRender();
  }

  /** The model summary changed: rebuild what lists its layers and remember it for a restore. */
  private afterModel(): void {
    const model = this.store.model;
    if (!model) return;
    this.host.state.model = model;
    this.host.state.selectedLayer = this.selected;
    this.host.save();
    this.architecture.update(model);
    this.weights.updateLayers(this.selected);
    this.inspector.updateExamples();
  }

  private requestRender(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.renderWeights());
  }

  /** The weight views, on an animation frame (several updates in one frame are drawn once). */
  private renderWeights(): void {
    this.frame = 0;
    const t0 = performance.now();
    const layer = this.selectedLayer();
    if (this.sections.get('weights')?.isOpen()) this.weights.render(layer);
    if (this.sections.get('hidden')?.isOpen()) this.hidden.render(layer);
    performance.measure('nnlens:render', { start: t0, end: performance.now() });
    if (performance.getEntriesByName('nnlens:render').length > 1000) performance.clearMeasures('nnlens:render');
  }

  private renderSection(id: SectionId): void {
    if (!this.sections.get(id)?.isOpen()) return;
    switch (id) {
      case 'architecture':
        if (this.store.model) this.architecture.update(this.store.model);
        return;
      case 'weights':
      case 'hidden':
        this.requestRender();
        return;
      case 'predictions':
        this.predictions.render();
        return;
      case 'training':
        this.training.render(this.store.training);
        return;
      case 'evaluation': {
        const epochs = this.store.training?.epochs ?? [];
        this.evaluation.render(this.store.evaluation ?? epochs[epochs.length - 1]?.test ?? null);
        return;
      }
      case 'inspector':
        this.inspector.rerender();
        return;
      default:
        assertNever(id, 'section');
    }
  }

  private renderAll(): void {
    for (const [id] of SECTIONS) this.renderSection(id);
  }

  /**
   * Moving the panel to a screen with another devicePixelRatio: redraw, and every canvas re-sizes its backing
   * store as it draws (they also check the ratio on each draw, for hosts that do not fire this media query).
   */
  private watchPixelRatio(): void {
    const mq = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    mq.addEventListener('change', () => {
      this.renderAll();
      this.watchPixelRatio();
    }, { once: true });
  }

  private resize(): void {
    const w = (id: SectionId): number => this.sections.get(id)?.body.clientWidth ?? 600;
    this.weights.setAvailableWidth(w('weights'));
    this.training.setAvailableWidth(w('training'));
    this.inspector.setAvailableWidth(w('inspector'));
    this.renderSection('training');
    this.requestRender();
  }
}
