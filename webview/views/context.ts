/** What every view gets from the app. */
import type { Host } from '../host';
import type { Store } from '../store';
import type { Theme } from '../theme';
import type { Section } from '../dom';

export interface ViewContext {
  host: Host;
  store: Store;
  theme(): Theme;
  /** Makes layer `index` the one the Weights and Hidden-units views show (and tells the host). */
  selectLayer(index: number): void;
  /** Asks for a redraw of the weight views on the next animation frame. */
  requestRender(): void;
}

export interface View {
  readonly section: Section;
}
