/**
 * The weight-file page: a header (file, format, size, metadata), the model files beside it, the tensor list and
 * the selected tensor; or, for a file that cannot be read, an error page naming the problem. Host messages are
 * checked first (a malformed one is ignored and reported with a `log` message); replies to any but the latest
 * request are dropped.
 */
import { assertNever, type WeightFileInfo, type WeightsHostToWebview, type WeightsWebviewToHost } from '../../src/protocol';
import { h, button } from '../dom';
import { readTheme, watchTheme, type Theme } from '../theme';
import { Requests } from '../stale';
import { formatCount } from '../format';
import { TensorList } from './list';
import { Viewer } from './viewer';
import { Offers } from './offers';
import { restorePageState, type PageState } from './state';
import { validateWeightsMessage, Invalid } from './validate';
import { formatBytes } from './format';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const FORMATS: Record<WeightFileInfo['format'], string> = { safetensors: 'safetensors', npy: 'NumPy .npy', 'npy-dict': 'NumPy .npy (a pickled dict of arrays)' };
const MAX_LOGS = 100;

const own = (o: Record<string, string>, k: string): string | undefined => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

export class WeightsApp {
  private readonly api = acquireVsCodeApi();
  private readonly state: PageState = restorePageState(this.api.getState());
  private readonly main: HTMLElement;
  private readonly header: HTMLElement;
  private readonly list: TensorList;
  private readonly viewer: Viewer;
  private readonly offers: Offers;
  private readonly requests = new Requests();
  private theme: Theme = readTheme();
  private logs = 0;

  constructor(root: HTMLElement) {
    this.header = h('header', { class: 'file-header' });
    this.offers = new Offers((uri) => this.post({ type: 'load', uri }));
    this.list = new TensorList((name) => this.select(name), this.state.filter, (f) => {
      this.state.filter = f;
      this.save();
    });
    this.viewer = new Viewer({ theme: () => this.theme, show: (name, index) => this.request(name, index) });
    this.main = h('main', { class: 'nnlens weights-editor', 'aria-label': 'Weight file' }, h('p', { class: 'loading', text: 'Reading the file…' }));
    root.append(this.main);
    watchTheme(() => {
      this.theme = readTheme();
      this.viewer.render();
    });
    new ResizeObserver(() => this.viewer.setAvailableWidth(Math.max(200, this.main.clientWidth - 8))).observe(this.main);
  }

  start(): void {
    this.post({ type: 'ready' });
  }

  private post(m: WeightsWebviewToHost): void {
    this.api.postMessage(m);
  }

  private save(): void {
    this.api.setState(this.state);
  }

  private report(level: 'warn' | 'error', message: string): void {
    if (this.logs++ < MAX_LOGS) this.post({ type: 'log', level, message });
  }

  handle(data: unknown): void {
    let m: WeightsHostToWebview;
    try {
      m = validateWeightsMessage(data);
    } catch (e) {
      this.report('warn', `ignored malformed message: ${e instanceof Invalid ? e.message : String(e)}`);
      return;
    }
    try {
      this.apply(m);
    } catch (e) {
      this.report('error', `handling ${m.type} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }

  private apply(m: WeightsHostToWebview): void {
    switch (m.type) {
      case 'file':
        return this.showFile(m.file);
      case 'stats':
        for (const s of m.stats) this.list.setStats(s.name, s.stats);
        return;
      case 'view':
        if (this.requests.isLatest(m.requestId)) this.viewer.show(m.view, this.list.info(m.view.name)?.dtype ?? 'float32');
        return;
      case 'viewProgress':
        if (this.requests.isLatest(m.requestId)) this.viewer.progress(m.fraction);
        return;
      case 'viewError':
        if (this.requests.isLatest(m.requestId)) this.viewer.showError(m.name, m.index, m.message);
        return;
      case 'models':
        this.offers.setOffers(m.models);
        return;
      case 'loaded':
        this.offers.loaded(m.uri, m.ok, m.message);
        return;
      case 'error':
        return this.showError(m.file, m.message);
      default:
        assertNever(m);
    }
  }

  private showFile(f: WeightFileInfo): void {
    const params = f.tensors.reduce((a, t) => a + t.numel, 0);
    const meta = Object.entries(f.metadata);
    this.header.replaceChildren(
      h('h1', { class: 'file-name', text: f.name }),
      h('p', { class: 'file-summary', text: `${FORMATS[f.format]} · ${formatBytes(f.bytes)} · ${formatCount(f.tensors.length)} tensor${f.tensors.length === 1 ? '' : 's'} · ${formatCount(params)} values` }),
      ...(meta.length ? [h('details', { class: 'metadata' }, h('summary', { text: `Metadata (${meta.length})` }),
        h('dl', {}, ...meta.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])))] : []),
    );
    this.offers.setTrusted(f.trusted);
    this.list.setTensors(f.tensors);
    if (!this.main.contains(this.viewer.element)) {
      this.main.classList.remove('error-page');
      this.main.replaceChildren(this.header, this.offers.element, this.list.element, this.viewer.element);
    }
    if (f.tensors.length === 0) {
      this.viewer.element.hidden = true;
      return;
    }
    this.viewer.element.hidden = false;
    const keep = this.state.selected !== null && f.tensors.some((t) => t.name === this.state.selected) ? this.state.selected : f.tensors[0].name;
    this.select(keep);
  }

  /** The slice a tensor starts with: the last one shown, else a 2-D slice for 3-D and up (`[0, :, :]`). */
  private defaultIndex(name: string): string {
    const saved = own(this.state.index, name);
    if (saved !== undefined) return saved;
    const t = this.list.info(name);
    if (!t || t.shape.length < 3) return '';
    return `[${t.shape.slice(0, -2).map(() => '0').join(', ')}, :, :]`;
  }

  private select(name: string): void {
    this.list.mark(name);
    this.state.selected = name;
    this.save();
    this.request(name, this.defaultIndex(name));
  }

  private request(name: string, index: string): void {
    const t = this.list.info(name);
    if (!t) return;
    Object.defineProperty(this.state.index, name, { value: index, enumerable: true, writable: true, configurable: true });
    this.save();
    this.viewer.begin(name, t.dtype, t.shape, index);
    this.post({ type: 'select', requestId: this.requests.issue(), name, index });
  }

  private showError(file: string, message: string): void {
    this.main.classList.add('error-page');
    this.main.replaceChildren(h('div', { class: 'error-box', role: 'alert' },
      h('h1', { text: `Cannot show ${file}` }),
      h('p', { class: 'error-message', text: message }),
      h('p', { class: 'hint', text: 'NN Lens reads safetensors files (F32, F64, I64, U8, BOOL; F16 and BF16 widened to float32) and NumPy .npy files (float32, float64, int64, uint8, bool, float16; C order, little-endian; or a pickled dict of arrays).' }),
      h('p', {}, button('Reopen with another editor…', () => this.post({ type: 'reopenWith' }), { class: 'reopen' }))));
  }
}
