/**
 * The tensors of the file as a table: name, dtype, shape, size and min/max/mean/std (filled in as the host's
 * streaming pass reaches each tensor). One row is selected; click it, or move with the arrow keys (Home/End,
 * Page Up/Down), as in a list. A filter box narrows long lists (it appears above 12 tensors).
 */
import type { TensorStats, WeightTensorInfo } from '../../src/protocol';
import { h } from '../dom';
import { formatCount } from '../format';
import { formatBytes, formatShapeList, statCells } from './format';

const FILTER_ABOVE = 12;

export class TensorList {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly filter: HTMLInputElement;
  private readonly count: HTMLElement;
  private rows = new Map<string, HTMLTableRowElement>();
  private infos = new Map<string, WeightTensorInfo>();
  private selected: string | null = null;

  constructor(private readonly onSelect: (name: string) => void, filterText: string, private readonly onFilter: (text: string) => void) {
    this.filter = h('input', { type: 'text', class: 'tensor-filter', placeholder: 'Filter by name', 'aria-label': 'Filter tensors by name', spellcheck: 'false', autocomplete: 'off' });
    this.filter.value = filterText;
    this.filter.addEventListener('input', () => {
      this.applyFilter();
      this.onFilter(this.filter.value);
    });
    this.count = h('span', { class: 'tensor-count', 'aria-live': 'polite' });
    const head = h('thead', {}, h('tr', {}, ...['Name', 'dtype', 'Shape', 'Size', 'min', 'max', 'mean', 'std'].map((t, i) =>
      h('th', { scope: 'col', class: i >= 4 ? 'num' : i === 3 ? 'num' : '', title: t === 'std' ? 'standard deviation, unbiased (as torch.std)' : null }, t))));
    this.body = h('tbody');
    const table = h('table', { class: 'tensor-table', role: 'grid', 'aria-label': 'Tensors in the file', 'aria-readonly': 'true' }, head, this.body);
    table.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest('tr[data-name]');
      if (tr instanceof HTMLTableRowElement && tr.dataset.name !== undefined) this.choose(tr.dataset.name, true);
    });
    table.addEventListener('keydown', (e) => this.onKey(e));
    this.element = h('div', { class: 'tensor-list' }, h('div', { class: 'list-tools' }, this.filter, this.count), h('div', { class: 'table-scroll' }, table));
  }

  setTensors(tensors: readonly WeightTensorInfo[]): void {
    this.rows.clear();
    this.infos.clear();
    const trs = tensors.map((t) => {
      const tr = h('tr', { 'data-name': t.name, tabindex: -1, 'aria-selected': 'false' },
        h('td', { class: 'name', title: t.name }, t.name),
        h('td', { class: 'dtype', title: `${t.fileDType} in the file${t.dtype === 'float16' || t.dtype === 'bfloat16' ? ', read as float32' : ''}` }, t.dtype),
        h('td', { class: 'shape' }, formatShapeList(t.shape)),
        h('td', { class: 'num size', title: `${formatCount(t.bytes)} bytes` }, `${formatCount(t.numel)} · ${formatBytes(t.bytes)}`),
        ...statCells(t.stats, t.dtype).map((s) => h('td', { class: 'num stat' }, s)));
      if (!t.stats) tr.setAttribute('aria-busy', 'true');
      this.rows.set(t.name, tr);
      this.infos.set(t.name, t);
      return tr;
    });
    this.body.replaceChildren(...trs);
    this.filter.hidden = tensors.length <= FILTER_ABOVE;
    this.applyFilter();
    if (this.selected !== null) this.mark(this.selected);
  }

  setStats(name: string, stats: TensorStats): void {
    const tr = this.rows.get(name);
    const info = this.infos.get(name);
    if (!tr || !info) return;
    info.stats = stats;
    const cells = statCells(stats, info.dtype);
    tr.querySelectorAll('td.stat').forEach((td, i) => (td.textContent = cells[i]));
    tr.removeAttribute('aria-busy');
  }

  info(name: string): WeightTensorInfo | undefined {
    return this.infos.get(name);
  }

  /** Marks `name` selected (without telling anyone). */
  mark(name: string): void {
    if (this.selected !== null) {
      const old = this.rows.get(this.selected);
      old?.setAttribute('aria-selected', 'false');
      old?.setAttribute('tabindex', '-1');
    }
    this.selected = name;
    const tr = this.rows.get(name);
    tr?.setAttribute('aria-selected', 'true');
    tr?.setAttribute('tabindex', '0');
  }

  private choose(name: string, focus: boolean): void {
    this.mark(name);
    const tr = this.rows.get(name);
    if (focus) tr?.focus();
    tr?.scrollIntoView({ block: 'nearest' });
    this.onSelect(name);
  }

  private visibleRows(): HTMLTableRowElement[] {
    return [...this.rows.values()].filter((r) => !r.hidden);
  }

  private applyFilter(): void {
    const q = this.filter.hidden ? '' : this.filter.value.trim().toLowerCase();
    let shown = 0;
    for (const [name, tr] of this.rows) {
      tr.hidden = q !== '' && !name.toLowerCase().includes(q);
      if (!tr.hidden) shown++;
    }
    const total = this.rows.size;
    this.count.textContent = q ? `${formatCount(shown)} of ${formatCount(total)} tensors` : `${formatCount(total)} tensor${total === 1 ? '' : 's'}`;
  }

  private onKey(e: KeyboardEvent): void {
    const rows = this.visibleRows();
    if (!rows.length) return;
    const cur = rows.findIndex((r) => r.dataset.name === this.selected);
    const page = 10;
    const moves: Record<string, number> = { ArrowDown: cur + 1, ArrowUp: cur - 1, Home: 0, End: rows.length - 1, PageDown: cur + page, PageUp: cur - page };
    let next: number;
    if (e.key in moves) next = Math.max(0, Math.min(rows.length - 1, cur < 0 ? 0 : moves[e.key]));
    else if ((e.key === 'Enter' || e.key === ' ') && cur >= 0) next = cur;
    else return;
    e.preventDefault();
    const name = rows[next].dataset.name;
    if (name !== undefined) this.choose(name, true);
  }
}
