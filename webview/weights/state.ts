/** What the weight-file page remembers while hidden or after a reload: the selected tensor, slices, the filter. */

export interface PageState {
  v: 1;
  selected: string | null;
  /** The slice last shown per tensor. */
  index: Record<string, string>;
  filter: string;
}

export function defaultPageState(): PageState {
  return { v: 1, selected: null, index: {}, filter: '' };
}

/** Keeps the saved fields that have the right types. */
export function restorePageState(raw: unknown): PageState {
  const d = defaultPageState();
  if (typeof raw !== 'object' || raw === null) return d;
  const r = raw as Partial<Record<keyof PageState, unknown>>;
  if (r.v !== 1) return d;
  if (typeof r.selected === 'string') d.selected = r.selected;
  if (typeof r.filter === 'string') d.filter = r.filter.slice(0, 200);
  if (typeof r.index === 'object' && r.index !== null) {
    for (const [k, v] of Object.entries(r.index)) if (typeof v === 'string' && v.length <= 200) Object.defineProperty(d.index, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return d;
}
