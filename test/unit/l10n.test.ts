/**
 * Localisation, as VS Code's own extensions do it: the manifest's texts are `%key%`s of package.nls.json, the code's
 * texts go through `vscode.l10n.t` (src/vscode) or `l10n.t` from @vscode/l10n (the pure modules, which cannot import
 * 'vscode'), and l10n/bundle.l10n.json is what `npm run l10n` (`@vscode/l10n-dev export`) extracts from src.
 * The last suite proves the wiring: with a pseudo-translation configured, the pure modules' messages come out
 * translated, including those built deep in the HTTP client.
 */
import { after, before, describe, test } from 'node:test';
import { closedPort } from '../support/network';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getL10nJson } from '@vscode/l10n-dev';
import { MultiviewClient } from '../../src/api/client';
import { endpointsFromBaseUrls } from '../support/endpoints';
import { MultiviewApiError } from '../../src/api/errors';
import { describeProgress } from '../../src/core/jobSession';
import { validatePrompt, validateSteps } from '../../src/core/parameters';
import { describeImageProblem } from '../../src/core/imageMessages';
import { inspectImageBytes } from '../../src/image/inspect';

type Bundle = Record<string, string | { message: string; comment: string[] }>;

/** The repository root, found from the sources or from the compiled out/ tree alike. */
const ROOT = (() => {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.nls.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`package.nls.json not found above ${__dirname}`);
})();

const readJson = <T>(...segments: string[]): T => JSON.parse(fs.readFileSync(path.join(ROOT, ...segments), 'utf8')) as T;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|js|jsx)$/.test(entry.name) ? [full] : [];
  });
}

const SRC_FILES = sourceFiles(path.join(ROOT, 'src'));

// ---- the manifest ------------------------------------------------------------------------------

describe('package.json and package.nls.json', () => {
  const manifest = readJson<Record<string, unknown>>('package.json');
  const nls = readJson<Record<string, unknown>>('package.nls.json');

  /** Every string value of the manifest, with its JSON path. */
  function strings(value: unknown, at: string, out: [string, string][] = []): [string, string][] {
    if (typeof value === 'string') out.push([at, value]);
    else if (Array.isArray(value)) value.forEach((item, index) => strings(item, `${at}[${index}]`, out));
    else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([key, item]) => strings(item, `${at}.${key}`, out));
    return out;
  }
  const placeholders = strings(manifest, '$').flatMap(([at, value]) => {
    const match = /^%([^%\s]+)%$/.exec(value);
    return match ? [{ at, key: match[1] }] : [];
  });

  test('every %key% of package.json has its English text in package.nls.json', () => {
    assert.ok(placeholders.length > 40, `only ${placeholders.length} placeholders found`);
    const missing = placeholders.filter(({ key }) => typeof nls[key] !== 'string' || (nls[key] as string).trim() === '');
    assert.deepEqual(missing, []);
  });

  test('every entry of package.nls.json is used by package.json', () => {
    const used = new Set(placeholders.map(({ key }) => key));
    assert.deepEqual(Object.keys(nls).filter((key) => !used.has(key)), []);
  });

  test('no user-visible text of the manifest is left untranslatable', () => {
    const visible =
      /^\$\.(displayName|description|capabilities\.virtualWorkspaces\.description|contributes\.commands\[\d+\]\.(title|category)|contributes\.configuration\[\d+\]\.(title|properties\..+\.(description|markdownDescription|enumDescriptions\[\d+\]|markdownEnumDescriptions\[\d+\]|enumItemLabels\[\d+\]|patternErrorMessage|deprecationMessage|markdownDeprecationMessage))|contributes\.walkthroughs\[\d+\]\.(title|description|steps\[\d+\]\.(title|description|media\.altText)))$/;
    const literal = strings(manifest, '$').filter(([at, value]) => visible.test(at) && !/^%[^%\s]+%$/.test(value));
    assert.deepEqual(literal, []);
  });

  test('the bundles ship: "l10n" names the folder and .vscodeignore lets it and package.nls.json in', () => {
    assert.equal(manifest.l10n, './l10n');
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split(/\r?\n/);
    assert.ok(ignore.includes('!l10n/**') && ignore.includes('!package.nls.json'), '.vscodeignore whitelists l10n/** and package.nls.json');
  });
});

// ---- the code's bundle --------------------------------------------------------------------------

describe('l10n/bundle.l10n.json', () => {
  test('is up to date: exporting from src now gives exactly its messages (else run `npm run l10n`)', async () => {
    const exported = await getL10nJson(
      SRC_FILES.map((file) => ({ extension: path.extname(file), contents: fs.readFileSync(file, 'utf8') })),
    );
    const committed = readJson<Bundle>('l10n', 'bundle.l10n.json');
    const added = Object.keys(exported).filter((key) => !(key in committed));
    const removed = Object.keys(committed).filter((key) => !(key in exported));
    assert.deepEqual({ added, removed }, { added: [], removed: [] }, 'run `npm run l10n`');
    assert.deepEqual(committed, exported, 'run `npm run l10n`');
  });

  test('every translation call has a literal message, so the export sees it', () => {
    const problems: string[] = [];
    for (const file of SRC_FILES) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bl10n\.t\(\s*/g)) {
        const rest = text.slice(match.index! + match[0].length);
        const literal = /^(?:\{\s*message:\s*)?(['"])(?:\\.|(?!\1)[^\\\n])*\1|^(?:\{\s*message:\s*)?`[^`$]*`/.test(rest);
        if (!literal) {
          const line = text.slice(0, match.index).split('\n').length;
          problems.push(`${path.relative(ROOT, file)}:${line}: ${rest.slice(0, 60).split('\n')[0]}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

// ---- the wiring ---------------------------------------------------------------------------------

/** Every message of the bundle wrapped in «…», as a translator's bundle.l10n.<language>.json would replace it. */
function pseudoBundle(): Bundle {
  const bundle = readJson<Bundle>('l10n', 'bundle.l10n.json');
  return Object.fromEntries(
    Object.entries(bundle).map(([key, value]) => [key, typeof value === 'string' ? `«${value}»` : { ...value, message: `«${value.message}»` }]),
  );
}

describe('pure modules are localisable: with a pseudo-translation configured their messages are translated', () => {
  const pseudo = pseudoBundle();
  // The way main.ts does it when the features load: one configuration for the one copy of @vscode/l10n.
  before(() => l10n.config({ contents: pseudo }));

  after(() => {
    l10n.config({ contents: {} });
  });

  test('a parameter validation message (src/core/parameters.ts), placeholders filled in', () => {
    assert.equal(validateSteps('0'), '«Inference steps must be a whole number from 1 to 50.»');
    assert.equal(validatePrompt('  '), '«Describe the object in a few words, for example “a red sneaker”.»');
  });

  test('a MultiviewApiError from the HTTP client: a network failure against a closed port', async () => {
    const port = await closedPort();
    const base = `http://127.0.0.1:${port}`;
    const client = new MultiviewClient({ apiKey: 'mvk-l10n-test-key-0001', endpoints: endpointsFromBaseUrls(base, base), requestTimeoutMs: 10_000 });
    const request = {
      prompt: 'a mug',
      negative_prompt: '',
      image: 'https://example.com/mug.png',
      width: 640,
      height: 960,
      temp: 'no' as const,
      num_inference_steps: 50,
      guidance_scale: 4,
      seed: null,
      webhook: null,
      track_id: null,
    };
    const error = await client.generate(request).then(
      () => assert.fail('a closed port cannot answer'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof MultiviewApiError);
    assert.equal(error.kind, 'network');
    assert.equal(
      error.message,
      `«Could not connect to 127.0.0.1:${port} (connection refused); «check your internet connection, VS Code proxy settings (http.proxy) and the API base URL setting.»»`,
    );
  });

  test('an image problem (found in src/image, worded in src/core/imageMessages.ts) and a progress text (src/core/jobSession.ts)', () => {
    const inspection = inspectImageBytes(new TextEncoder().encode('not an image at all'));
    assert.ok(!inspection.ok);
    assert.equal(
      describeImageProblem(inspection.problem, 'notes.png'),
      '«“notes.png” is not a PNG, JPEG or WebP image (its content was checked, not its name). Choose a PNG, JPEG or WebP image.»',
    );
    assert.equal(describeProgress({ stage: 'saving' }), '«Saving…»');
    assert.equal(describeProgress({ stage: 'queued', jobId: '657', waitedSeconds: 12 }), '«Queued (job 657; waited 12 s)…»');
  });

  test('the shipped extension host code has one copy of @vscode/l10n, in dist/main.js (so configuring it once is enough)', { skip: !fs.existsSync(path.join(ROOT, 'dist', 'meta.json')) && 'dist/ not built (npm run bundle)' }, () => {
    const meta = readJson<{ outputs: Record<string, { inputs: Record<string, unknown> }> }>('dist', 'meta.json');
    const holders = Object.entries(meta.outputs)
      .filter(([output, { inputs }]) => !output.endsWith('webview.js') && Object.keys(inputs).some((input) => input.includes('node_modules/@vscode/l10n/')))
      .map(([output]) => output);
    assert.deepEqual(holders, ['dist/main.js']);
  });

  test('resetting the configuration brings the English texts back', () => {
    l10n.config({ contents: {} });
    assert.equal(validateSteps('0'), 'Inference steps must be a whole number from 1 to 50.');
    assert.equal(describeProgress({ stage: 'saving' }), 'Saving…');
    l10n.config({ contents: pseudo });
  });
});
