/**
 * The result panel's HTML, as a pure function of what it shows: no `vscode` here, so it is unit-tested alone. The
 * content is rendered into the page (escaped by the `html` template), so it reads without scripts; the script only
 * plays the turntable and forwards button clicks. One head, with the one Content-Security-Policy, for every page.
 */
import * as l10n from '@vscode/l10n';
import { signedDegrees } from '../../core/grid';
import { exportLabel } from '../../core/results/exports/resultExport';
import type { Sidecar } from '../../core/sidecarSchema';
import type { UploadRecord, UploadStep } from '../../image/engine';
import { MAX_FRAMES_PER_SECOND, MIN_FRAMES_PER_SECOND } from '../../shared/messages';
import { html, type SafeHtml } from './html';
import { viewerTexts } from './viewerTexts';

/** Where the page is shown: the webview's CSP source, a fresh nonce, the display language and the assets' URIs. */
export interface PageEnvironment {
  cspSource: string;
  nonce: string;
  /** The `lang` of the page: the language its texts are in. */
  language: string;
  stylesheetUri: string;
  /** The page's script; a page without one runs no script at all. */
  scriptUri?: string;
  /** The 3D viewer's script and stylesheet, for a page that shows a model (loaded only then). */
  viewer?: { scriptUri: string; stylesheetUri: string };
}

export interface PageView {
  /** The view's image, as the webview loads it. */
  uri: string;
  azimuthDegrees: number;
  elevationDegrees: number;
}

export interface ResultPageModel {
  title: string;
  imageName: string;
  sidecarPath: string;
  /** The grid's folder, relative to the workspace. */
  savedPath: string;
  inputUri: string;
  gridUri: string;
  /** In azimuth order; none when the views were not saved (yet). The transparent ones when the result has them. */
  views: PageView[];
  /** The views were cut out of the backdrop ("Make Views Transparent"): the transparent grid's file name. */
  transparentGrid?: string;
  sidecar: Sidecar;
  framesPerSecond: number;
  /** The cut-out subject (background removed), when one was made. */
  subjectUri?: string;
}

/** The 3D models of the result, newest first: the first is the one the viewer shows. */
export function modelsNewestFirst(sidecar: Sidecar): Sidecar['models'] {
  return [...sidecar.models].reverse();
}

export interface NoticePageModel {
  title: string;
  heading: string;
  text: string;
}

/** The caption of a view: its pose. */
export function viewCaption(view: Pick<PageView, 'azimuthDegrees' | 'elevationDegrees'>): string {
  return l10n.t('azimuth {0}°, elevation {1}°', view.azimuthDegrees, signedDegrees(view.elevationDegrees));
}

function pageHead(title: string, env: PageEnvironment): SafeHtml {
  // Images and the stylesheet from the webview's own resources only; scripts only by the nonce; nothing to connect to.
  // The 3D viewer hands a model's textures to <img> as blob: or data: URLs, never fetching them.
  const policy = env.viewer
    ? html`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${env.cspSource} blob: data:; style-src ${env.cspSource}; script-src 'nonce-${env.nonce}'; connect-src 'none'; form-action 'none';">`
    : env.scriptUri
      ? html`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${env.cspSource}; style-src ${env.cspSource}; script-src 'nonce-${env.nonce}'; connect-src 'none'; form-action 'none';">`
      : html`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${env.cspSource};">`;
  return html`<head>
<meta charset="UTF-8">
${policy}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${env.stylesheetUri}">
${env.viewer ? html`<link rel="stylesheet" href="${env.viewer.stylesheetUri}">` : html``}
<title>${title}</title>
</head>`;
}

/**
 * The model editor's page: the 3D viewer alone, filling the editor (it owns the page's VS Code API). A .gltf reads
 * its .bin and textures from beside it, so only that page may fetch, and only from the webview's own resources.
 */
export function renderModelPage(model: { title: string; fileName: string; fetchesResources: boolean }, env: PageEnvironment & { viewer: NonNullable<PageEnvironment['viewer']> }): string {
  const connect = model.fetchesResources ? env.cspSource : `'none'`;
  return html`<!DOCTYPE html>
<html lang="${env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${env.cspSource} blob: data:; style-src ${env.cspSource}; script-src 'nonce-${env.nonce}'; connect-src ${connect}; form-action 'none';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${env.stylesheetUri}">
<link rel="stylesheet" href="${env.viewer.stylesheetUri}">
<title>${model.title}</title>
</head>
<body class="model-editor">
<div id="model-viewer" class="model-viewer model-viewer--fill" data-texts="${JSON.stringify(viewerTexts())}"><p>${l10n.t('Loading {0}…', model.fileName)}</p></div>
<script nonce="${env.nonce}" src="${env.viewer.scriptUri}"></script>
</body>
</html>`.value;
}

/** A short page with no script: a restored panel whose result is gone, say. */
export function renderNoticePage(model: NoticePageModel, env: PageEnvironment): string {
  return html`<!DOCTYPE html>
<html lang="${env.language}">
${pageHead(model.title, { ...env, scriptUri: undefined })}
<body>
<main id="result-missing">
  <h1>${model.heading}</h1>
  <p>${model.text}</p>
</main>
</body>
</html>`.value;
}

/**
 * What can be made from the views without spending credits (each button runs the command the History runs too), and
 * what was made: every file the sidecar lists, each one a button that opens it.
 */
function exportsSection(model: ResultPageModel, hidden: SafeHtml): SafeHtml {
  const transparent = model.transparentGrid !== undefined;
  const free = l10n.t('Made on this computer: no credits are spent. New files are written beside the views, never over a file.');
  const button = (kind: string, id: string, label: string, title: string) =>
    html`<button id="${id}" type="button" class="secondary" data-action="export" data-kind="${kind}" title="${title} ${free}">${label}</button>`;
  return html`<section id="exports"${hidden} aria-labelledby="exports-title">
    <h2 id="exports-title">${l10n.t('Use the views')}</h2>
    <div class="actions">
      ${transparent ? html`` : button('transparent-views', 'make-transparent', l10n.t('Make Views Transparent'), l10n.t('Cuts each view out of the grey backdrop.'))}
      ${button('sprite-sheet', 'export-sprite-sheet', l10n.t('Export Sprite Sheet'), l10n.t('One PNG atlas of the views in turning order, with TexturePacker JSON (Phaser, PixiJS) and a Godot SpriteFrames file.'))}
      ${button('camera-poses', 'export-camera-poses', l10n.t('Export Camera Poses'), l10n.t('A transforms.json with each view’s camera, for instant-ngp, nerfstudio or Gaussian splatting.'))}
    </div>
    ${
      model.sidecar.exports.length === 0
        ? html``
        : html`<ul id="exported-files">
      ${model.sidecar.exports.map(
        (entry) => html`<li data-kind="${entry.kind}">${exportLabel(entry.kind)}: ${entry.files.map((file) => html`<button type="button" class="link" data-action="openExported" data-file="${file}">${file}</button> `)}</li>`,
      )}
    </ul>`
    }
  </section>`;
}

type FramedStep = Extract<UploadStep, { step: 'framed' }>;

/**
 * The framing the upload recorded, when the subject of a cut-out was framed before it was sent; a sidecar is
 * anyone's file, so only finite, positive sizes are taken.
 */
function framingOf(sidecar: Sidecar): { step: FramedStep; source: { width: number; height: number } } | undefined {
  const record = sidecar.inputPreparation as Partial<UploadRecord> | null;
  const step = Array.isArray(record?.steps) ? (record.steps.find((candidate) => candidate?.step === 'framed') as FramedStep | undefined) : undefined;
  const source = record?.source;
  const positive = (...values: unknown[]) => values.every((value) => typeof value === 'number' && Number.isFinite(value) && value > 0);
  const finite = (...values: unknown[]) => values.every((value) => typeof value === 'number' && Number.isFinite(value));
  if (!step || !source || !positive(step.scale, step.share, step.to?.width, step.box?.width, step.box?.height, source.width, source.height) || !finite(step.box.x, step.box.y)) {
    return undefined;
  }
  return { step, source: { width: source.width, height: source.height } };
}

/**
 * The input as it was sent: a framed cut-out is drawn as the model got it (the picture scaled and placed on the grey
 * square by the recorded box and scale: SVG attributes, not inline styles, so the CSP holds); anything else as it is.
 */
function inputFigure(model: ResultPageModel): SafeHtml {
  const { sidecar } = model;
  const framing = framingOf(sidecar);
  if (!framing) {
    return html`<figure class="input">
      <img id="input-image" src="${model.inputUri}" alt="${l10n.t('Input image {0}', sidecar.sourceImage)}">
      <figcaption>${l10n.t('Input: {0}', sidecar.sourceImage)}</figcaption>
    </figure>`;
  }
  const { step, source } = framing;
  const side = step.to.width;
  const x = (side - step.box.width * step.scale) / 2 - step.box.x * step.scale;
  const y = (side - step.box.height * step.scale) / 2 - step.box.y * step.scale;
  const round = (value: number) => Math.round(value * 100) / 100;
  return html`<figure class="input framed">
      <svg id="input-image" role="img" viewBox="0 0 ${side} ${side}" aria-label="${l10n.t('Input image {0}, framed as it was sent', sidecar.sourceImage)}">
        <rect width="${side}" height="${side}" fill="#7f7f7f"></rect>
        <image href="${model.inputUri}" x="${round(x)}" y="${round(y)}" width="${round(source.width * step.scale)}" height="${round(source.height * step.scale)}" preserveAspectRatio="none"></image>
      </svg>
      <figcaption>${l10n.t('Input: {0}, framed: its subject fills {1}% of the square sent', sidecar.sourceImage, Math.round(step.share * 100))}</figcaption>
    </figure>`;
}

/** The result's newest 3D model in the viewer, and every model made from it, when there is one. */
function modelSection(sidecar: Sidecar, env: PageEnvironment): SafeHtml {
  const models = modelsNewestFirst(sidecar);
  if (models.length === 0 || !env.viewer) {
    return html``;
  }
  return html`<section id="model" aria-labelledby="model-title">
    <h2 id="model-title">${l10n.t('3D model')}</h2>
    <div id="model-viewer" class="model-viewer" data-host="page" data-texts="${JSON.stringify(viewerTexts())}"><p>${l10n.t('Loading {0}…', models[0].file)}</p></div>
    <ul id="model-files">
      ${models.map(
        (entry, index) => html`<li data-model="${entry.file}">${l10n.t('{0} · {1} · {2} triangles', entry.file, entry.format.toUpperCase(), entry.triangles)}${
          index === 0 ? html` <button type="button" data-action="open" data-file="model" class="secondary">${l10n.t('Open Model File')}</button>` : html``
        }</li>`,
      )}
    </ul>
  </section>`;
}

export function renderResultPage(model: ResultPageModel, env: PageEnvironment): string {
  const { sidecar, views } = model;
  const parameters = sidecar.parameters;
  const rows: [string, keyof typeof parameters, unknown][] = [
    [l10n.t('Prompt'), 'prompt', parameters.prompt],
    [l10n.t('Negative prompt'), 'negative_prompt', parameters.negative_prompt || '—'],
    [l10n.t('Width'), 'width', parameters.width],
    [l10n.t('Height'), 'height', parameters.height],
    [l10n.t('Inference steps'), 'num_inference_steps', parameters.num_inference_steps],
    [l10n.t('Guidance scale'), 'guidance_scale', parameters.guidance_scale],
    [l10n.t('Proxy links'), 'temp', parameters.temp],
  ];
  const notReported = l10n.t('not reported');
  const generationTime =
    sidecar.serverGenerationSeconds === null ? notReported : l10n.t('{0} s on the server', sidecar.serverGenerationSeconds.toFixed(1));
  const captioned = views.map((view) => ({ ...view, caption: viewCaption(view) }));
  // The turntable's frames: the input (azimuth 0°), then the views by azimuth.
  const frames = [{ uri: model.inputUri, valueText: l10n.t('input image, azimuth 0°') }, ...captioned.map((view) => ({ uri: view.uri, valueText: view.caption }))];
  const hidden = views.length === 0 ? html` hidden` : html``;
  const transparent = model.transparentGrid !== undefined;
  const viewsClass = transparent ? html` class="transparent"` : html``;
  return html`<!DOCTYPE html>
<html lang="${env.language}">
${pageHead(model.title, env)}
<body data-sidecar-path="${model.sidecarPath}">
<main>
  <header>
    <h1>${l10n.t('Six views of {0}', model.imageName)}</h1>
    <p class="subtitle">${l10n.t('3 rows × 2 columns, azimuth 30° to 330° around the object · saved in {0}', model.savedPath)}</p>
  </header>
  <section class="images">
    ${inputFigure(model)}
    ${
      model.subjectUri && sidecar.subject
        ? html`<figure class="subject">
      <img id="subject-image" src="${model.subjectUri}" alt="${l10n.t('The subject of the input, its background removed')}">
      <figcaption>${l10n.t('Subject (background removed): {0}', sidecar.subject.file)}</figcaption>
    </figure>`
        : html``
    }
    <figure class="result">
      <img id="result-image" src="${model.gridUri}" alt="${l10n.t('Six generated views in a grid of 3 rows and 2 columns')}">
      <figcaption>${l10n.t('Views: {0}', sidecar.grid)}</figcaption>
    </figure>
  </section>
  ${modelSection(sidecar, env)}
  <section id="views"${hidden}${viewsClass} aria-label="${transparent ? l10n.t('The six views, by azimuth, cut out of the backdrop') : l10n.t('The six views, by azimuth')}">
    ${captioned.map(
      (view) => html`<figure class="view" data-azimuth="${view.azimuthDegrees}" data-elevation="${view.elevationDegrees}">
      <img src="${view.uri}" alt="${view.caption}">
      <figcaption>${view.caption}</figcaption>
    </figure>`,
    )}
  </section>
  ${exportsSection(model, hidden)}
  <section id="turntable"${hidden}${viewsClass} aria-labelledby="turntable-title">
    <h2 id="turntable-title">${l10n.t('Turntable')}</h2>
    <div id="turntable-stage" class="stage" tabindex="0" role="slider" aria-labelledby="turntable-title"
      aria-valuemin="0" aria-valuemax="${frames.length - 1}" aria-valuenow="0" aria-valuetext="${frames[0].valueText}"
      title="${l10n.t('Drag or use the arrow keys to turn')}">
      ${frames.map((frame, index) => html`<img class="frame${index === 0 ? ' current' : ''}" src="${frame.uri}" alt="" data-valuetext="${frame.valueText}">`)}
    </div>
    <div class="turntable-controls">
      <button id="turntable-play" type="button" aria-controls="turntable-stage" data-play-label="${l10n.t('Play')}" data-pause-label="${l10n.t('Pause')}">${l10n.t('Play')}</button>
      <label for="turntable-speed">${l10n.t('Speed')}</label>
      <input id="turntable-speed" type="range" min="${MIN_FRAMES_PER_SECOND}" max="${MAX_FRAMES_PER_SECOND}" step="1" value="${model.framesPerSecond}">
      <output id="turntable-speed-value" for="turntable-speed" data-template="${l10n.t('{0} frames per second', '{0}')}">${l10n.t('{0} frames per second', model.framesPerSecond)}</output>
      <button id="export-animation" type="button" class="secondary" data-action="export" data-kind="turntable" title="${l10n.t('Saves the turntable at this speed as a GIF and as a full-colour animated PNG beside the grid; no credits are spent.')}">${l10n.t('Export Animation')}</button>
    </div>
  </section>
  <section class="details">
    <h2>${l10n.t('Parameters')}</h2>
    <dl id="parameters">
      ${rows.map(([label, name, value]) => html`<dt>${label}</dt><dd data-param="${name}">${value}</dd>`)}
    </dl>
    <dl>
      <dt>${l10n.t('Seed')}</dt><dd id="seed">${sidecar.seed ?? notReported}</dd>
      <dt>${l10n.t('Generation time')}</dt><dd id="generation-time">${generationTime}</dd>
      <dt>${l10n.t('Job')}</dt><dd id="job-id">${sidecar.jobId}</dd>
      <dt>${l10n.t('Saved in')}</dt><dd id="saved-path">${model.savedPath}</dd>
    </dl>
    <details id="server-meta">
      <summary>${l10n.t('Details from the server')}</summary>
      <dl>
        ${Object.entries(sidecar.meta).map(([name, value]) => html`<dt>${name}</dt><dd data-meta="${name}">${typeof value === 'string' ? value : JSON.stringify(value)}</dd>`)}
      </dl>
    </details>
    <div class="actions">
      <button id="open-grid" data-action="open" data-file="grid">${l10n.t('Open Image')}</button>
      <button id="open-sidecar" data-action="open" data-file="sidecar" class="secondary">${l10n.t('Open Metadata')}</button>
      <button id="reveal" data-action="reveal" class="secondary">${l10n.t('Reveal in Explorer')}</button>
      <button id="make-model" data-action="makeModel" class="secondary" title="${l10n.t('Asks for the format and quality first; takes a few minutes and spends credits on your account.')}">${l10n.t('Make 3D Model… (spends credits)')}</button>
    </div>
  </section>
</main>
${
  // With a model, the viewer's bundle runs the panel's script too: one script per page.
  model.sidecar.models.length > 0 && env.viewer ? html`<script nonce="${env.nonce}" src="${env.viewer.scriptUri}"></script>` : html`<script nonce="${env.nonce}" src="${env.scriptUri ?? ''}"></script>`
}
</body>
</html>`.value;
}
