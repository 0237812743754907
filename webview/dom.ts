/** Tiny DOM helpers: elements with attributes and children, without innerHTML (no inline handlers or styles). */

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) e.setAttribute(k, String(v));
  return e;
}

let ids = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A section whose header button collapses its body (keyboard: Tab to the header, Enter or Space). */
export interface Section {
  root: HTMLElement;
  body: HTMLElement;
  /** Extra controls in the header, right of the title. */
  tools: HTMLElement;
  isOpen(): boolean;
  setOpen(open: boolean): void;
}

export function section(id: string, title: string, open: boolean, onToggle: (open: boolean) => void): Section {
  const bodyId = `${id}-body`;
  const headId = `${id}-head`;
  const toggle = h('button', { class: 'section-toggle', id: headId, 'aria-expanded': String(open), 'aria-controls': bodyId, type: 'button' },
    h('span', { class: 'chevron', 'aria-hidden': 'true' }), title);
  const tools = h('div', { class: 'section-tools' });
  const body = h('div', { class: 'section-body', id: bodyId, role: 'region', 'aria-labelledby': headId });
  const root = h('section', { class: 'view', id, 'data-view': id }, h('h2', { class: 'section-head' }, toggle, tools), body);
  const set = (o: boolean): void => {
    toggle.setAttribute('aria-expanded', String(o));
    body.hidden = !o;
    root.classList.toggle('collapsed', !o);
  };
  set(open);
  toggle.addEventListener('click', () => {
    const o = toggle.getAttribute('aria-expanded') !== 'true';
    set(o);
    onToggle(o);
  });
  return { root, body, tools, isOpen: () => toggle.getAttribute('aria-expanded') === 'true', setOpen: set };
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}
