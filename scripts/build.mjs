// @ts-check
/**
 * Bundles the extension with esbuild: every file under dist/ comes from here.
 *
 *   node scripts/build.mjs           production: minified, no source maps, no legal comments (what the .vsix ships)
 *   node scripts/build.mjs --dev     development, once: not minified, with source maps
 *   node scripts/build.mjs --watch   development, rebuilding on every change; errors are printed in the format the
 *                                    "esbuild-watch" problem matcher of .vscode/tasks.json reads (as esbuild-sample's
 *                                    problem-matcher plugin does), between "[watch] build started" and
 *                                    "[watch] build finished", so F5 waits for the first build and the Problems
 *                                    view shows the errors
 *
 * Type checking is not done here (esbuild strips types without checking them): `npm run typecheck` does it, and
 * `npm run build` runs both.
 *
 * To add a bundle, add one entry to BUNDLES; to ship a file as it is, add one entry to COPIES. .vscodeignore ships
 * all of dist/ (except source maps and meta.json), and test/unit/package-contents.test.ts checks that every output
 * named in dist/meta.json is in the .vsix, so a new entry here cannot be left out of the package by accident.
 */
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = 'dist';
const METAFILE = `${DIST}/meta.json`;

/**
 * What every bundle that runs in the extension host (Node 20, the version VS Code 1.100 ships) has in common.
 * CommonJS because VS Code loads the extension's main file with require().
 * @type {esbuild.BuildOptions}
 */
const EXTENSION_HOST = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Provided by VS Code at run time; there is no such package to bundle (only its types).
  external: ['vscode'],
  // axios requires these three packages at load time, whatever the request; the stand-ins keep the bundles small.
  // Each shim says in its own header why it is safe.
  alias: {
    // The real form-data pulls in a 130 KB MIME database; the extension never sends multipart forms.
    'form-data': './src/bundleShims/formData.ts',
    // Tracing for axios's redirect and proxy helpers, which the extension never enables.
    debug: './src/bundleShims/debug.ts',
    // The client sets `proxy: false` (VS Code's proxy support applies instead), so axios never builds one.
    'https-proxy-agent': './src/bundleShims/httpsProxyAgent.ts',
  },
};

/**
 * What every script that runs inside a webview (a browser page with a strict CSP) has in common: one classic
 * <script> file, no module loader.
 * @type {esbuild.BuildOptions}
 */
const WEBVIEW = {
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
};

/**
 * The bundles, one entry each. Every entry file must exist: a missing one fails the build (it is never skipped).
 * @type {{ entry: string, outfile: string, options: esbuild.BuildOptions }[]}
 */
const BUNDLES = [
  // Loaded at activation (onStartupFinished): the registrations of package.json's contributions, nothing else; it
  // loads main.js the first time one of them is used.
  { entry: 'src/extension.ts', outfile: `${DIST}/extension.js`, options: EXTENSION_HOST },
  // Every feature: the commands, the quick input, the panels, the History view, the HTTP client and the pipeline.
  { entry: 'src/main.ts', outfile: `${DIST}/main.js`, options: EXTENSION_HOST },
  // The image worker (a worker_threads Worker, src/image/engine.ts): every decode, resize, encode and split, off the
  // extension host's thread; it loads the codecs' WebAssembly from dist/wasm/.
  { entry: 'src/image/workerMain.ts', outfile: `${DIST}/imageWorker.js`, options: EXTENSION_HOST },
  // The result panel's script (media/panel.css is shipped as it is).
  { entry: 'src/webview/main.ts', outfile: `${DIST}/webview.js`, options: WEBVIEW },
  // The 3D viewer (three.js), for the result panel and the .glb editor: loaded only by a page that shows a model.
  { entry: 'src/webview/viewer/main.ts', outfile: `${DIST}/viewer.js`, options: WEBVIEW },
];

/**
 * Files shipped as they are, copied into dist/ (e.g. WebAssembly codecs that a bundle loads from disk).
 * Every source must exist: a missing one fails the build.
 * @type {{ from: string, to: string }[]}
 */
const COPIES = [
  // The decoders (libjpeg-turbo, libwebp) and the JPEG encoder (mozjpeg) of the image worker (src/image/codecs/).
  { from: 'node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm', to: `${DIST}/wasm/jpeg-turbo.wasm` },
  { from: 'node_modules/@cwasm/webp/webp.wasm', to: `${DIST}/wasm/webp.wasm` },
  { from: 'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm', to: `${DIST}/wasm/mozjpeg_enc.wasm` },
];

// ------------------------------------------------------------------------------------------------------------------

/** @typedef {'production' | 'development' | 'watch'} Mode */

/** @param {string[]} args @returns {Mode} */
function modeFrom(args) {
  const known = new Map([['--watch', 'watch'], ['--dev', 'development']]);
  const unknown = args.filter((arg) => !known.has(arg));
  if (unknown.length || args.length > 1) {
    throw new BuildSetupError(`usage: node scripts/build.mjs [--watch | --dev] (got: ${args.join(' ')})`);
  }
  return /** @type {Mode} */ (known.get(args[0] ?? '') ?? 'production');
}

/** A mistake in this script's lists or arguments: reported in one line, without a stack. */
class BuildSetupError extends Error {}

/** Fails when an entry or a file to copy is missing, naming all of them at once. */
function checkInputsExist() {
  const missing = [
    ...BUNDLES.filter(({ entry }) => !existsSync(path.join(ROOT, entry))).map(({ entry, outfile }) => `${entry} (the entry of ${outfile})`),
    ...COPIES.filter(({ from }) => !existsSync(path.join(ROOT, from))).map(({ from, to }) => `${from} (to be copied to ${to})`),
  ];
  if (missing.length) {
    throw new BuildSetupError(`missing input file(s):\n  ${missing.join('\n  ')}\nCreate them, or change BUNDLES / COPIES in scripts/build.mjs.`);
  }
}

/** @param {Mode} mode @returns {esbuild.BuildOptions} */
function modeOptions(mode) {
  return mode === 'production'
    ? { minify: true, sourcemap: false, legalComments: 'eof' }
    : { minify: false, sourcemap: true, legalComments: 'eof' };
}

/**
 * @param {{ entry: string, outfile: string, options: esbuild.BuildOptions }} bundle
 * @param {Mode} mode
 * @param {esbuild.Plugin[]} plugins
 * @returns {esbuild.BuildOptions & { metafile: true }}
 */
function buildOptions(bundle, mode, plugins) {
  return {
    ...bundle.options,
    ...modeOptions(mode),
    absWorkingDir: ROOT,
    entryPoints: [bundle.entry],
    outfile: bundle.outfile,
    bundle: true,
    metafile: true,
    // In watch mode the problem-matcher plugin prints the messages (in the format tasks.json reads).
    logLevel: mode === 'watch' ? 'silent' : 'warning',
    plugins,
  };
}

function copyFiles() {
  for (const { from, to } of COPIES) {
    mkdirSync(path.dirname(path.join(ROOT, to)), { recursive: true });
    copyFileSync(path.join(ROOT, from), path.join(ROOT, to));
  }
}

/**
 * One metafile for all bundles (the bench and the package-contents test read it). Each bundle is built on its own
 * (they differ in platform and format), so their metafiles are merged: inputs by path, outputs by file.
 * @param {esbuild.Metafile[]} metafiles
 */
function writeMetafile(metafiles) {
  /** @type {esbuild.Metafile} */
  const merged = { inputs: {}, outputs: {} };
  for (const { inputs, outputs } of metafiles) {
    Object.assign(merged.inputs, inputs);
    Object.assign(merged.outputs, outputs);
  }
  writeFileSync(path.join(ROOT, METAFILE), JSON.stringify(merged));
}

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** @param {Mode} mode */
async function buildOnce(mode) {
  const results = await Promise.allSettled(BUNDLES.map((bundle) => esbuild.build(buildOptions(bundle, mode, []))));
  // esbuild has already printed each error with its source line (logLevel 'warning').
  const failed = results.filter((result) => result.status === 'rejected').length;
  if (failed) throw new BuildSetupError(`${failed} of ${BUNDLES.length} bundle(s) failed`);
  writeMetafile(results.map((result) => /** @type {PromiseFulfilledResult<esbuild.BuildResult & { metafile: esbuild.Metafile }>} */ (result).value.metafile));
  copyFiles();
  for (const { outfile } of BUNDLES) console.log(`  ${outfile.padEnd(24)} ${kb(statSync(path.join(ROOT, outfile)).size).padStart(9)}`);
  for (const { to } of COPIES) console.log(`  ${to.padEnd(24)} ${kb(statSync(path.join(ROOT, to)).size).padStart(9)}  (copied)`);
  console.log(`${mode} build of ${BUNDLES.length} bundle(s)${COPIES.length ? ` and ${COPIES.length} copied file(s)` : ''} done`);
}

/**
 * Reports the bundles' rebuilds as one build to the problem matcher. esbuild notices a change in each bundle's own
 * watcher, so the bundles that share a changed file start rebuilding a little apart: "[watch] build started" is
 * printed when the first starts, and once none has been building for SETTLE_MS, every bundle's current errors and
 * warnings (each once, though a shared file's error shows up in several bundles) and "[watch] build finished". Each
 * cycle therefore lists all the problems there are, and the Problems view can replace its list at each cycle.
 */
function watchReporter() {
  const SETTLE_MS = 300;
  let building = 0;
  let cycleOpen = false;
  /** @type {NodeJS.Timeout | undefined} */
  let pendingReport;
  /** @type {Map<string, { errors: esbuild.Message[], warnings: esbuild.Message[] }>} */
  const latest = new Map();
  /** @type {Map<string, esbuild.Metafile>} */
  const metafiles = new Map();

  /** @param {'ERROR' | 'WARNING'} severity @param {esbuild.Message} message */
  const print = (severity, { text, location }) => {
    console.error(`${severity === 'ERROR' ? '✘' : '▲'} [${severity}] ${text}`);
    if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
  };

  const report = () => {
    cycleOpen = false;
    const seen = new Set();
    let errorCount = 0;
    for (const { errors, warnings } of latest.values()) {
      for (const [severity, messages] of /** @type {const} */ ([['ERROR', errors], ['WARNING', warnings]])) {
        for (const message of messages) {
          const key = `${severity} ${message.text} ${message.location?.file}:${message.location?.line}:${message.location?.column}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (severity === 'ERROR') errorCount++;
          print(severity, message);
        }
      }
    }
    if (metafiles.size === BUNDLES.length) writeMetafile([...metafiles.values()]);
    console.log(`[watch] build finished${errorCount ? ` with ${errorCount} error(s)` : ''}, watching for changes...`);
  };

  /** @param {string} outfile @returns {esbuild.Plugin} */
  const pluginFor = (outfile) => ({
    name: 'multiview-watch-reporter',
    setup(build) {
      build.onStart(() => {
        building++;
        clearTimeout(pendingReport);
        if (!cycleOpen) console.log('[watch] build started');
        cycleOpen = true;
      });
      build.onEnd((result) => {
        latest.set(outfile, { errors: result.errors, warnings: result.warnings });
        if (result.metafile) metafiles.set(outfile, result.metafile);
        if (--building === 0) pendingReport = setTimeout(report, SETTLE_MS);
      });
    },
  });
  return { pluginFor };
}

async function watch() {
  const reporter = watchReporter();
  const contexts = await Promise.all(BUNDLES.map((bundle) => esbuild.context(buildOptions(bundle, 'watch', [reporter.pluginFor(bundle.outfile)]))));
  copyFiles(); // once: the copied files come from node_modules and change only with `npm ci`
  await Promise.all(contexts.map((context) => context.watch()));
  const stop = async () => {
    await Promise.all(contexts.map((context) => context.dispose()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main() {
  const mode = modeFrom(process.argv.slice(2));
  checkInputsExist();
  // A clean dist/ each time: .vscodeignore ships everything in it, so a bundle removed from BUNDLES (or a source map
  // from a development build) must not linger there.
  rmSync(path.join(ROOT, DIST), { recursive: true, force: true });
  mkdirSync(path.join(ROOT, DIST), { recursive: true });
  if (mode === 'watch') await watch();
  else await buildOnce(mode);
}

main().catch((error) => {
  console.error(`scripts/build.mjs: ${error instanceof BuildSetupError ? error.message : error?.stack ?? error}`);
  process.exit(1);
});
