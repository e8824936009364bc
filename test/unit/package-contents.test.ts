/**
 * What the user installs: the entries of the built multiview.vsix (a zip), read from its central directory with
 * Node alone. Every bundle scripts/build.mjs made (dist/meta.json's outputs) and every copied WebAssembly codec must
 * be in it (a missing one is an extension that fails to load a feature), and nothing of the development tree (the
 * sources, the tests, the test tools, source maps, node_modules) may be (a package that grows for nothing, or that
 * ships the tests). `npm test` builds the package before the unit tests; alone, this suite skips without one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

/** The repository root: this file runs compiled, from out/test/unit/ (or from test/unit/ if run from source). */
const ROOT = path.resolve(__dirname, path.basename(path.resolve(__dirname, '../..')) === 'out' ? '../../..' : '../..');

const VSIX = path.join(ROOT, 'multiview.vsix');
const METAFILE = path.join(ROOT, 'dist', 'meta.json');
const MAX_PACKAGE_BYTES = 2 * 1024 * 1024;
/** Where vsce puts the extension's own files inside the zip. */
const EXTENSION_FOLDER = 'extension/';
const REBUILD = 'rebuild the package with `npm run package` (or run `npm test`, which does)';

/**
 * The names of the entries in a zip's central directory. The end-of-central-directory record is the last 22 bytes plus an
 * optional comment of up to 64 KiB, so it is searched for backwards from the end. Zip64 (over 4 GiB or 65535
 * entries) is not needed for a package that must stay under 2 MB, and is refused rather than misread.
 */
function zipEntryNames(zip: Buffer): string[] {
  const END_SIGNATURE = 0x06054b50;
  const ENTRY_SIGNATURE = 0x02014b50;
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_SIGNATURE) {
      end = at;
      break;
    }
  }
  assert.ok(end >= 0, 'the .vsix is not a zip (no end-of-central-directory record)');
  const count = zip.readUInt16LE(end + 10);
  const directoryOffset = zip.readUInt32LE(end + 16);
  assert.ok(count !== 0xffff && directoryOffset !== 0xffffffff, 'the .vsix is a Zip64 archive, which this check does not read');
  const names: string[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), ENTRY_SIGNATURE, `central directory entry ${i} is damaged`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** The extension's files in the package, as paths relative to the repository (dist/extension.js, ...). */
function packagedFiles(): Set<string> {
  return new Set(
    zipEntryNames(fs.readFileSync(VSIX))
      .filter((name) => name.startsWith(EXTENSION_FOLDER))
      .map((name) => name.slice(EXTENSION_FOLDER.length)),
  );
}

const noPackage = !fs.existsSync(VSIX) && 'no multiview.vsix has been built: run `npm run package` first (npm test does)';

describe('the packaged extension (multiview.vsix)', { skip: noPackage }, () => {
  test('holds every bundle that scripts/build.mjs made (the outputs of dist/meta.json)', () => {
    assert.ok(fs.existsSync(METAFILE), `dist/meta.json is missing: ${REBUILD}`);
    const meta = JSON.parse(fs.readFileSync(METAFILE, 'utf8')) as { outputs: Record<string, unknown> };
    const bundles = Object.keys(meta.outputs).filter((output) => !output.endsWith('.map'));
    assert.ok(bundles.includes('dist/extension.js'), `dist/meta.json names no dist/extension.js: ${REBUILD}`);
    const packaged = packagedFiles();
    const missing = bundles.filter((bundle) => !packaged.has(bundle));
    assert.deepEqual(missing, [], `bundles left out of the .vsix (check .vscodeignore, then ${REBUILD})`);
  });

  test("holds the manifest's main file", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.ok(packagedFiles().has(path.posix.normalize(manifest.main)), `${manifest.main} is not in the .vsix`);
  });

  test('holds every WebAssembly codec copied into dist/wasm/', () => {
    const wasmFolder = path.join(ROOT, 'dist', 'wasm');
    const codecs = fs.existsSync(wasmFolder) ? fs.readdirSync(wasmFolder).filter((name) => name.endsWith('.wasm')) : [];
    const packaged = packagedFiles();
    const missing = codecs.map((name) => `dist/wasm/${name}`).filter((file) => !packaged.has(file));
    assert.deepEqual(missing, [], `codecs left out of the .vsix (check .vscodeignore, then ${REBUILD})`);
  });

  test('holds nothing of the development tree: sources, tests, tools, source maps, node_modules, the metafile', () => {
    const unwanted = [...packagedFiles()].filter(
      (file) =>
        /^(src|test|out|\.tools|\.vscode|scripts|node_modules)\//.test(file) ||
        file.includes('/node_modules/') ||
        file.endsWith('.map') ||
        file.endsWith('.ts') ||
        file === 'dist/meta.json',
    );
    assert.deepEqual(unwanted, []);
  });

  test('stays under 2 MB', () => {
    const bytes = fs.statSync(VSIX).size;
    assert.ok(bytes < MAX_PACKAGE_BYTES, `multiview.vsix is ${(bytes / 1024 / 1024).toFixed(2)} MB`);
  });
});
