// Builds the webview-only 3D viewer: src/webview/viewer/main.ts → dist/viewer.js (IIFE, es2022, minified), with
// its esbuild metafile beside it (dist/viewer-meta.json) for the bench's size figures. The same as:
//   esbuild src/webview/viewer/main.ts --bundle --format=iife --target=es2022 --minify \
//     --metafile=dist/viewer-meta.json --outfile=dist/viewer.js
// Run from the repository root: node scripts/build-viewer.mjs
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'viewer.js');
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/webview/viewer/main.ts'],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify: true,
  // three.js is MIT: its licence comment stays, at the end of the file.
  legalComments: 'eof',
  metafile: true,
  outfile,
  logLevel: 'warning',
});
writeFileSync(join(root, 'dist', 'viewer-meta.json'), JSON.stringify(result.metafile));
const bytes = result.metafile.outputs['dist/viewer.js'].bytes;
console.log(`dist/viewer.js: ${(bytes / 1024).toFixed(1)} KiB`);
