// The viewer's colours come from the VS Code theme: viewer.css maps the theme's CSS variables onto the viewer's own
// (--model-viewer-*), and this reads them back as three.js colours. VS Code changes the body's class (vscode-light,
// vscode-dark, vscode-high-contrast, vscode-high-contrast-light) when the theme changes; the viewer then reads again.
import { Color, SRGBColorSpace } from 'three';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface ViewerColours {
  readonly kind: ThemeKind;
  /** The stage's background: the editor's. */
  readonly background: Color;
  readonly grid: Color;
  readonly gridCentre: Color;
  /** The surface colour of a model that brings no material of its own (STL, PLY and OBJ without colours). */
  readonly clay: Color;
  /** Stronger light for the high-contrast themes, softer on light backgrounds. */
  readonly lightScale: number;
}

export function themeKind(body: HTMLElement): ThemeKind {
  const kind = body.dataset.vscodeThemeKind;
  if (kind === 'vscode-high-contrast-light' || body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (kind === 'vscode-high-contrast' || body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  if (kind === 'vscode-light' || body.classList.contains('vscode-light')) return 'light';
  if (kind === 'vscode-dark' || body.classList.contains('vscode-dark')) return 'dark';
  // Outside VS Code (a plain page): follow the system.
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Reads the --model-viewer-* colours that viewer.css sets on `element` (any CSS colour syntax the theme uses). */
export function readViewerColours(element: HTMLElement): ViewerColours {
  const style = getComputedStyle(element);
  const kind = themeKind(document.body);
  const light = kind === 'light' || kind === 'high-contrast-light';
  const fallback = light ? '#ffffff' : '#1e1e1e';
  const background = cssColour(style.getPropertyValue('--model-viewer-background'), fallback);
  return {
    kind,
    background,
    grid: cssColour(style.getPropertyValue('--model-viewer-grid'), light ? '#d4d4d4' : '#404040'),
    gridCentre: cssColour(style.getPropertyValue('--model-viewer-grid-centre'), light ? '#a0a0a0' : '#707070'),
    // Clay a step away from the background, so a plain model always stands out.
    clay: new Color(light ? 0x9c9c9c : 0xc4c4c4),
    lightScale: kind === 'high-contrast' || kind === 'high-contrast-light' ? 1.25 : light ? 0.95 : 1,
  };
}

/**
 * A CSS colour (#rgb, #rrggbbaa, rgb(), a name…) as a three.js colour in sRGB, so the canvas's background is the
 * same colour as the page around it. A 2D context normalises the syntax; anything unusable is `fallback`.
 */
export function cssColour(value: string, fallback: string): Color {
  // A fresh 1×1 context each time: colours are read once per load and theme change, and nothing is kept.
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d');
  if (!context) {
    return new Color().setStyle(fallback, SRGBColorSpace);
  }
  context.fillStyle = fallback;
  context.fillStyle = value.trim() || fallback;
  const normalised = String(context.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(normalised);
  if (hex) {
    return new Color().setHex(parseInt(hex[1], 16), SRGBColorSpace);
  }
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/i.exec(normalised);
  if (rgb) {
    return new Color().setRGB(Number(rgb[1]) / 255, Number(rgb[2]) / 255, Number(rgb[3]) / 255, SRGBColorSpace);
  }
  return new Color().setStyle(fallback, SRGBColorSpace);
}
