/**
 * The result panel's page, rendered without VS Code (src/vscode/panel/resultPage.ts): what a person sees in it, and
 * the security rules of its HTML (one strict CSP with the nonce, every server or user string escaped).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderNoticePage, renderResultPage, type PageEnvironment, type ResultPageModel } from '../../src/vscode/panel/resultPage';
import type { Sidecar } from '../../src/core/sidecarSchema';

const ENV: PageEnvironment = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'bm9uY2Utbm9uY2U=',
  language: 'en',
  stylesheetUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
};

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

function sidecar(overrides: Partial<Sidecar> = {}): Sidecar {
  return {
    schema: 'multiview-sidecar/1',
    createdBy: 'Multiview for VS Code 0.0.0-test',
    sourceImage: 'assets/mug.png',
    grid: 'mug-multiview-657.png',
    jobId: '657',
    seed: 4242,
    endpointPreset: 'stablediffusionapi-v5',
    parameters: { prompt: 'a mug', negative_prompt: '', width: 640, height: 960, num_inference_steps: 50, guidance_scale: 4, seed: 4242, temp: 'no', webhook: null, track_id: null },
    upload: { width: 512, height: 512, bytes: 1000 },
    inputPreparation: null,
    output: { downloadedFrom: 'https://cdn.example/g.png', outputUrls: [], proxyUrls: [] },
    serverGenerationSeconds: 13.1,
    timings: { startedAt: '', finishedAt: '', uploadMs: 0, generationMs: 0, downloadMs: 0, totalMs: 0 },
    meta: { seed: 4242 },
    cameraLayout: 'zero123plus-v1.2',
    gridSize: { width: 640, height: 960 },
    views: [],
    viewsSkipped: null,
    subject: null,
    models: [],
    exports: [],
    ...overrides,
  };
}

function model(overrides: Partial<ResultPageModel> = {}): ResultPageModel {
  return {
    title: 'Multiview: mug.png',
    imageName: 'mug.png',
    sidecarPath: '/ws/assets/multiview/mug-multiview-657.json',
    savedPath: 'assets/multiview',
    inputUri: 'https://res/ws/assets/mug.png',
    gridUri: 'https://res/ws/assets/multiview/mug-multiview-657.png',
    views: [30, 90, 150, 210, 270, 330].map((azimuthDegrees, index) => ({
      uri: `https://res/ws/assets/multiview/view-${azimuthDegrees}.png`,
      azimuthDegrees,
      elevationDegrees: index % 2 ? -10 : 20,
    })),
    sidecar: sidecar(),
    framesPerSecond: 4,
    ...overrides,
  };
}

const csp = (page: string) => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1];

describe('the result page', () => {
  test('shows the grid, the six views labelled with their pose, and a turntable of seven frames', () => {
    const page = renderResultPage(model(), ENV);
    assert.match(page, /<h1>Six views of mug\.png<\/h1>/);
    assert.match(page, /id="result-image" src="https:\/\/res\/ws\/assets\/multiview\/mug-multiview-657\.png"/);
    const captions = [...page.matchAll(/<figcaption>(azimuth [^<]*)<\/figcaption>/g)].map((match) => match[1]);
    assert.deepEqual(captions, [
      'azimuth 30°, elevation +20°',
      'azimuth 90°, elevation -10°',
      'azimuth 150°, elevation +20°',
      'azimuth 210°, elevation -10°',
      'azimuth 270°, elevation +20°',
      'azimuth 330°, elevation -10°',
    ]);
    assert.equal([...page.matchAll(/<img class="frame/g)].length, 7, 'the input, then the six views');
    assert.match(page, /aria-valuetext="input image, azimuth 0°"/);
    assert.match(page, /<dd id="seed">4242<\/dd>/);
    assert.match(page, /<dd id="generation-time">13\.1 s on the server<\/dd>/);
  });

  test('without views (not saved, or not cut yet) the views and the turntable are hidden, the grid still shown', () => {
    const page = renderResultPage(model({ views: [] }), ENV);
    assert.match(page, /<section id="views" hidden/);
    assert.match(page, /<section id="turntable" hidden/);
    assert.match(page, /id="result-image"/);
  });

  test('one strict policy: nothing but its own resources, its one script by the nonce, nothing to connect to', () => {
    const page = renderResultPage(model(), ENV);
    assert.equal(
      csp(page),
      `default-src 'none'; img-src ${ENV.cspSource}; style-src ${ENV.cspSource}; script-src 'nonce-${ENV.nonce}'; connect-src 'none'; form-action 'none';`,
    );
    const scripts = [...page.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.deepEqual(scripts, [` nonce="${ENV.nonce}" src="${ENV.scriptUri}"`]);
    assert.doesNotMatch(page, /\son[a-z]+=|style="|javascript:/i, 'no inline handlers, inline styles or script URLs');
  });

  test('with a 3D model: the model section, and one script (the viewer’s bundle, which runs the panel’s too) by the nonce', () => {
    const viewer = { scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/viewer.js', stylesheetUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/viewer.css' };
    const withModel = sidecar({
      models: [
        {
          file: 'mug-multiview-657-3d.glb',
          format: 'glb',
          jobId: '3d-1',
          parameters: {},
          input: 'subject',
          triangles: 1056,
          vertices: 637,
          bytes: 48_000,
          seed: null,
          serverGenerationSeconds: null,
          finishedAt: '2026-12-01T10:00:00.000Z',
        },
      ],
    });
    const page = renderResultPage(model({ sidecar: withModel }), { ...ENV, viewer });
    assert.match(page, /<section id="model"/);
    assert.match(page, /<div id="model-viewer"[^>]*data-host="page"/);
    const scripts = [...page.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.deepEqual(scripts, [` nonce="${ENV.nonce}" src="${viewer.scriptUri}"`]);
  });

  test('every string from the server or the user is escaped', () => {
    const page = renderResultPage(
      model({
        imageName: HOSTILE,
        savedPath: HOSTILE,
        sidecar: sidecar({ jobId: HOSTILE, sourceImage: HOSTILE, meta: { [HOSTILE]: HOSTILE, nested: { x: HOSTILE } }, parameters: { ...sidecar().parameters, prompt: HOSTILE } }),
      }),
      ENV,
    );
    assert.doesNotMatch(page, /<script>alert|<img src=x/);
    assert.equal([...page.matchAll(/<script/g)].length, 1);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
  });

  test('the notice page runs no script at all', () => {
    const page = renderNoticePage({ title: 'Multiview: result not found', heading: 'This result was moved or deleted', text: HOSTILE }, ENV);
    assert.equal(csp(page), `default-src 'none'; style-src ${ENV.cspSource};`);
    assert.doesNotMatch(page, /<script/);
    assert.match(page, /<h1>This result was moved or deleted<\/h1>/);
  });
});

describe('the result page: framing and the free exports', () => {
  const framedRecord = (step: Record<string, unknown>) =>
    ({
      source: { mime: 'image/png', width: 1600, height: 1200 },
      options: { padToSquare: true, longSide: 1024 },
      steps: [{ step: 'decoded', scale: 1, width: 1600, height: 1200 }, step, { step: 'composited', background: '#7f7f7f' }],
      sent: { mime: 'image/jpeg', width: 1024, height: 1024 },
      note: '',
    }) as unknown as Sidecar['inputPreparation'];

  test('a framed cut-out is shown as it was sent: the picture placed on the grey square by the recorded box and scale', () => {
    const step = { step: 'framed', box: { x: 1200, y: 100, width: 200, height: 100 }, scale: 4.352, share: 0.85, to: { width: 1024, height: 1024 } };
    const page = renderResultPage(model({ sidecar: sidecar({ inputPreparation: framedRecord(step) }) }), ENV);
    const svg = /<svg id="input-image"[^>]*viewBox="0 0 1024 1024"[^>]*>([\s\S]*?)<\/svg>/.exec(page);
    assert.ok(svg, 'the input is drawn framed');
    assert.match(svg[1], /<rect width="1024" height="1024" fill="#7f7f7f">/);
    // The box centred on the square: x = (1024 - 200·4.352)/2 - 1200·4.352 = -5145.6, y = (1024 - 100·4.352)/2 - 100·4.352 = -140.8.
    assert.match(svg[1], /<image href="https:\/\/res\/ws\/assets\/mug\.png" x="-5145\.6" y="-140\.8" width="6963\.2" height="5222\.4"/);
    assert.match(page, /subject fills 85% of the square sent/);
    assert.doesNotMatch(page, /style="/, 'placed by attributes: no inline style for the CSP to refuse');
  });

  test('a framing record that is not numbers (a hand-edited sidecar) shows the input as it is', () => {
    const step = { step: 'framed', box: { x: 'a', y: 0, width: 200, height: 100 }, scale: 4, share: 0.85, to: { width: 1024, height: 1024 } };
    const page = renderResultPage(model({ sidecar: sidecar({ inputPreparation: framedRecord(step) }) }), ENV);
    assert.match(page, /<img id="input-image" src="https:\/\/res\/ws\/assets\/mug\.png"/);
  });

  test('every export is offered while nothing was made; transparent views then show on the checkerboard and every exported file is listed, escaped', () => {
    const fresh = renderResultPage(model(), ENV);
    for (const id of ['make-transparent', 'export-sprite-sheet', 'export-camera-poses', 'export-animation']) assert.match(fresh, new RegExp(`id="${id}"`));
    assert.match(fresh, /no credits are spent/);
    assert.doesNotMatch(fresh, /id="exported-files"/);
    const exported = sidecar({
      exports: [
        { kind: 'transparent-views', files: ['mug-multiview-657-transparent.png', HOSTILE], createdAt: '', details: {} },
        { kind: 'camera-poses', files: ['mug-multiview-657-transforms.json'], createdAt: '', details: {} },
      ],
    });
    const page = renderResultPage(model({ sidecar: exported, transparentGrid: 'mug-multiview-657-transparent.png' }), ENV);
    assert.match(page, /<section id="views" class="transparent"/);
    assert.doesNotMatch(page, /id="make-transparent"/, 'already transparent: not offered again');
    assert.match(page, /data-action="openExported" data-file="mug-multiview-657-transforms\.json"/);
    assert.ok(!page.includes(HOSTILE), 'a file name from the sidecar is escaped');
  });
});
