/** A line chart (SVG via d3): several series over optimiser steps, with vertical markers (file edits). */
import { scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';
import { line } from 'd3-shape';
import { select } from 'd3-selection';
import { extent, max } from 'd3-array';
import { format } from 'd3-format';
import { h, svg } from '../dom';

export interface Series {
  name: string;
  /** CSS class: colours come from the stylesheet (theme variables). */
  className: string;
  points: { x: number; y: number }[];
  /** Draw dots (few points, e.g. one per epoch). */
  dots?: boolean;
}

export interface Marker {
  x: number;
  label: string;
}

const M = { top: 10, right: 12, bottom: 26, left: 44 };

export class LineChart {
  readonly element: HTMLElement;
  private readonly svgEl: SVGSVGElement;
  private readonly legend: HTMLElement;
  private width = 420;

  constructor(private readonly title: string, private readonly yFixed: [number, number] | null, private readonly height = 180) {
    this.svgEl = svg('svg', { class: 'chart', height, role: 'img', 'aria-label': title });
    this.legend = h('div', { class: 'chart-legend' });
    this.element = h('figure', { class: 'chart-figure' }, h('figcaption', { text: title }), this.svgEl, this.legend);
  }

  setWidth(w: number): void {
    this.width = Math.max(200, Math.floor(w));
  }

  update(series: Series[], markers: Marker[]): void {
    const innerW = this.width - M.left - M.right;
    const innerH = this.height - M.top - M.bottom;
    this.svgEl.setAttribute('width', String(this.width));
    const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
    const [x0, x1] = extent([...all.map((p) => p.x), ...markers.map((m) => m.x)]);
    const x = scaleLinear().domain([x0 ?? 0, Math.max((x1 ?? 1), (x0 ?? 0) + 1)]).range([0, innerW]);
    const yTop = this.yFixed ? this.yFixed[1] : Math.max(1e-6, (max(all, (p) => p.y) ?? 1) * 1.05);
    const y = scaleLinear().domain(this.yFixed ? this.yFixed : [0, yTop]).range([innerH, 0]).nice();
    const root = select(this.svgEl);
    const plot = root.selectAll<SVGGElement, null>('g.plot').data([null]).join('g').attr('class', 'plot').attr('transform', `translate(${M.left},${M.top})`);
    plot.selectAll<SVGGElement, null>('g.x-axis').data([null]).join('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${innerH})`)
      .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerW / 80))).tickFormat(format('~s')).tickSizeOuter(0));
    plot.selectAll<SVGGElement, null>('g.y-axis').data([null]).join('g').attr('class', 'axis y-axis')
      .call(axisLeft(y).ticks(4).tickSizeOuter(0));
    plot.selectAll<SVGGElement, Marker>('g.marker').data(markers).join((enter) => {
      const g = enter.append('g').attr('class', 'marker');
      g.append('line');
      g.append('title');
      return g;
    })
      .call((g) => g.select('line').attr('x1', (m) => x(m.x)).attr('x2', (m) => x(m.x)).attr('y1', 0).attr('y2', innerH))
      .call((g) => g.select('title').text((m) => m.label));
    const path = line<{ x: number; y: number }>().defined((p) => Number.isFinite(p.y)).x((p) => x(p.x)).y((p) => y(p.y));
    plot.selectAll<SVGPathElement, Series>('path.series').data(series).join('path')
      .attr('class', (s) => `series ${s.className}`)
      .attr('d', (s) => path(s.points) ?? '');
    plot.selectAll<SVGGElement, Series>('g.dots').data(series.filter((s) => s.dots)).join('g')
      .attr('class', (s) => `dots ${s.className}`)
      .selectAll<SVGCircleElement, { x: number; y: number }>('circle').data((s) => s.points).join('circle')
      .attr('cx', (p) => x(p.x)).attr('cy', (p) => y(p.y)).attr('r', 3);
    this.legend.replaceChildren(...series.map((s) => {
      const last = s.points[s.points.length - 1];
      return h('span', { class: `legend-item ${s.className}` }, h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        `${s.name}${last ? ` ${fmt(last.y)}` : ''}`);
    }));
    const desc = series.map((s) => `${s.name}: ${s.points.length ? fmt(s.points[s.points.length - 1].y) : 'no data'}`).join('; ');
    this.svgEl.setAttribute('aria-label', `${this.title}. ${desc}. ${markers.length} edit marker${markers.length === 1 ? '' : 's'}.`);
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4);
}
