import * as path from 'node:path';
import type * as Codecs from './codecs';

/**
 * The codecs module from beside this code: dist/codecs.js next to the bundle, out/src/image/codecs.js in
 * tests. A computed path keeps esbuild from inlining it into the main bundle.
 */
export function loadCodecs(): typeof Codecs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the separate bundle, loaded on first use
  return require(path.join(__dirname, 'codecs.js')) as typeof Codecs;
}
