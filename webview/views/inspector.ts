/**
 * Tensor inspector: a PyTorch expression (`W1.weight[:2, :3]`, `W1.weight.grad`, …) is sent to the host, which
 * evaluates it with the engine and answers with PyTorch's print; 2-D results also show as a heatmap, 1-D as a strip.
 */
import { h, button } from '../dom';
import { Heatmap } from '../components/heatmap';
import { Strip } from '../components/strip';
import { DivergingScale } from '../components/colormap';
import { maxAbs, fromPayload } from '../tensor';
import { Requests } from '../stale';
import type { TensorPayload } from '../../src/protocol';
import type { ViewContext } from './context';

export class InspectorView {
  readonly element: HTMLElement;
  readonly requests = new Requests();
  private readonly input: HTMLInputElement;
  private readonly output: HTMLPreElement;
  private readonly examples: HTMLElement;
  private readonly heatmap = new Heatmap({ label: 'Inspector heatmap', minHeight: 60, maxHeight: 360 });
  private readonly strip = new Strip('horizontal', 18, 'Inspector values');
  private historyPos = -1;
  private last: { requestId: number; expression: string; text: string; tensor?: TensorPayload; error?: string } | null = null;

  constructor(private readonly ctx: ViewContext) {
    this.input = h('input', { type: 'text', class: 'expression', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'PyTorch expression to inspect', placeholder: 'W1.weight[:2, :3]' });
    this.input.value = ctx.host.state.inspector.expression;
    this.output = h('pre', { class: 'inspect-output', 'aria-live': 'polite', tabindex: 0 });
    this.examples = h('div', { class: 'examples', 'aria-label': 'Examples' });
    const form = h('form', { class: 'inspect-form', role: 'search' }, this.input, h('button', { type: 'submit', text: 'Inspect' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit(this.input.value);
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => {
      ctx.host.state.inspector.expression = this.input.value;
      ctx.host.save();
    });
    this.heatmap.element.hidden = true;
    this.strip.element.hidden = true;
    this.element = h('div', { class: 'inspector' }, form, this.examples, this.heatmap.element, this.strip.element, this.output);
    this.updateExamples();
  }

  setAvailableWidth(w: number): void {
    this.heatmap.setAvailableWidth(w);
  }

  /** Examples named after the model's layers. */
  updateExamples(): void {
    const [a, b] = this.ctx.store.linears();
    const n1 = a?.name ?? 'W1';
    const n2 = b?.name ?? n1;
    const ex = [`${n1}.weight.shape`, `${n1}.weight[:2, :3]`, `${n2}.bias`, `${n1}.weight[3].view(28, 28)`, `${n1}.weight.grad`];
    this.examples.replaceChildren(h('span', { text: 'Try: ' }), ...ex.map((e) => button(e, () => {
      this.input.value = e;
      this.submit(e);
    }, { class: 'example' })));
  }

  submit(expression: string): void {
    const e = expression.trim();
    if (!e) return;
    const st = this.ctx.host.state.inspector;
    st.expression = e;
    st.history = [...st.history.filter((x) => x !== e), e].slice(-50);
    this.historyPos = -1;
    this.ctx.host.save();
    this.output.classList.remove('error');
    this.output.textContent = `Evaluating ${e}…`;
    this.ctx.host.post({ type: 'inspect', requestId: this.requests.issue(), expression: e });
  }

  onResult(requestId: number, expression: string, text: string, tensor?: TensorPayload, error?: string): void {
    if (!this.requests.isLatest(requestId)) return;
    this.last = { requestId, expression, text, tensor, error };
    this.output.classList.toggle('error', !!error);
    this.output.textContent = error ? `${expression}\n${error}` : text;
    this.heatmap.element.hidden = true;
    this.strip.element.hidden = true;
    if (error || !tensor) return;
    const t = fromPayload(tensor);
    const scale = new DivergingScale(this.ctx.theme().weights, maxAbs(t.data));
    if (t.shape.length === 2) {
      this.heatmap.element.hidden = false;
      this.heatmap.setData({ name: expression, rows: t.shape[0], cols: t.shape[1], data: t.data, scale, expression: (r, c) => `${expression}[${r}, ${c}]` });
      this.heatmap.render();
    } else if (t.shape.length === 1) {
      this.strip.element.hidden = false;
      this.strip.setData({ name: expression, data: t.data, scale });
      this.strip.fit(Math.min(600, this.element.clientWidth || 600));
      this.strip.render();
    }
  }

  /** Redraws the last result (after a theme change). */
  rerender(): void {
    const l = this.last;
    if (l) this.onResult(l.requestId, l.expression, l.text, l.tensor, l.error);
  }

  private onKey(e: KeyboardEvent): void {
    const hist = this.ctx.host.state.inspector.history;
    if (!hist.length || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    if (e.key === 'ArrowUp') this.historyPos = this.historyPos < 0 ? hist.length - 1 : Math.max(0, this.historyPos - 1);
    else this.historyPos = this.historyPos < 0 ? -1 : this.historyPos + 1 >= hist.length ? -1 : this.historyPos + 1;
    this.input.value = this.historyPos < 0 ? '' : hist[this.historyPos];
  }
}
