/**
 * Model files beside the weight file: one whose keys and shapes match gets a "Load into visualizer" button (it
 * loads these weights into the model and opens its visualizer: predictions and the tensor inspector then use
 * them); one that nearly matches lists the mismatches, key by key.
 */
import type { ModelOffer } from '../../src/protocol';
import { h, button } from '../dom';

export class Offers {
  readonly element: HTMLElement;
  private trusted = true;
  private offers: ModelOffer[] = [];
  private readonly results = new Map<string, { ok: boolean; message: string }>();

  constructor(private readonly onLoad: (uri: string) => void) {
    this.element = h('section', { class: 'offers', 'aria-label': 'Model files beside this file' });
    this.element.hidden = true;
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.render();
  }

  setOffers(offers: readonly ModelOffer[]): void {
    this.offers = offers.slice();
    this.render();
  }

  loaded(uri: string, ok: boolean, message: string): void {
    this.results.set(uri, { ok, message });
    this.render();
  }

  private render(): void {
    this.element.hidden = this.offers.length === 0;
    this.element.replaceChildren(...this.offers.map((o) => {
      const done = this.results.get(o.uri);
      const result = done ? h('p', { class: `load-result ${done.ok ? 'ok' : 'failed'}`, role: 'status', text: done.message }) : null;
      if (o.ok) {
        const load = button('Load into visualizer', () => this.onLoad(o.uri), { class: 'load primary', 'aria-label': `Load these weights into ${o.label} and open its visualizer` });
        load.disabled = !this.trusted;
        return h('div', { class: 'offer match', 'data-uri': o.uri },
          h('p', {}, h('span', { class: 'model-name', text: o.label }), ' has these keys and shapes: load the weights into it to see its predictions and inspect its tensors. ', load),
          !this.trusted ? h('p', { class: 'hint', text: 'Loading weights needs a trusted workspace.' }) : null, result);
      }
      return h('div', { class: 'offer mismatch', 'data-uri': o.uri },
        h('p', {}, h('span', { class: 'model-name', text: o.label }), ' does not match these weights:'),
        h('pre', { class: 'mismatch-list', text: o.mismatch.join('\n') }), result);
    }));
  }
}
