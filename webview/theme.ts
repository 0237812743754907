/** The VS Code theme as the canvas views need it: its kind, colours from `--vscode-*` variables, and changes. */
import { divergingInterpolator, buildLut, imageLut, type Lut, type ThemeKind } from './components/colormap';

export interface Theme {
  kind: ThemeKind;
  background: string;
  foreground: string;
  border: string;
  focus: string;
  /** The weight colour table (diverging, centred on zero). */
  weights: Lut;
  /** The greyscale table for images. */
  image: Lut;
}

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  if (c.contains('vscode-light')) return 'light';
  // Outside VS Code (no class yet): follow the browser's preference.
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** A `--vscode-*` variable's value, or the fallback when the theme does not define it. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): Theme {
  const kind = themeKind();
  const dark = kind === 'dark' || kind === 'high-contrast';
  const background = cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff');
  return {
    kind,
    background,
    foreground: cssVar('--vscode-editor-foreground', dark ? '#d4d4d4' : '#1f1f1f'),
    border: cssVar('--vscode-panel-border', dark ? '#444444' : '#cccccc'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    weights: buildLut(divergingInterpolator(kind, background)),
    image: imageLut(),
  };
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body class and the html style). */
export function watchTheme(onChange: () => void): void {
  let last = '';
  const check = (): void => {
    const key = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
    if (key !== last) {
      last = key;
      onChange();
    }
  };
  last = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
  const obs = new MutationObserver(check);
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
