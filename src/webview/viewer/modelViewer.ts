// The 3D view: a three.js scene in the container, orbit/zoom/pan by pointer and keyboard, Reset View, Auto-rotate
// (off when the system asks for reduced motion), a Z-up toggle, an info line and messages in place of the model.
// Frames are drawn on demand: only while the camera moves or auto-rotate runs, so an idle view costs nothing.
import {
  Box3,
  DirectionalLight,
  GridHelper,
  Group,
  HemisphereLight,
  type Material,
  MathUtils,
  type Mesh,
  type MeshStandardMaterial,
  NeutralToneMapping,
  type Object3D,
  PerspectiveCamera,
  Scene,
  Sphere,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import {
  fillTemplate,
  type FromViewerMessage,
  type LoadModelMessage,
  MODEL_FORMAT_LABELS,
  type ModelFormat,
  VIEWER_ERROR_TEXT_KEYS,
  VIEWER_FIRST_FRAME_MARK,
  type ViewerErrorReason,
  type ViewerTexts,
} from '../../shared/viewerMessages';
import { dolly, frameSphere, type Framing, MAX_POLAR_ANGLE, MIN_POLAR_ANGLE, orbit, pan } from './cameraMoves';
import { countModel, disposeModel, fetchModel, ModelLoadError, parseModel } from './loadModel';
import { readViewerColours, type ViewerColours } from './theme';

/** One arrow-key press: turn by this much, pan by this share of the view, zoom by this factor. */
const KEY_ORBIT_RADIANS = MathUtils.degToRad(15);
const KEY_PAN_FRACTION = 0.05;
const KEY_ZOOM_FACTOR = 0.8;
const FIELD_OF_VIEW_DEGREES = 35;
/** Auto-rotate: one turn in 30 s (OrbitControls' speed 2 = 30 s a turn). */
const AUTO_ROTATE_SPEED = 2;
/** Longest time step a frame may advance auto-rotate by (after the page was hidden, say). */
const MAX_FRAME_SECONDS = 0.1;

export interface ViewerHost {
  post(message: FromViewerMessage): void;
}

interface ShownModel {
  readonly format: ModelFormat;
  readonly name: string;
  readonly root: Object3D;
  /** Holds `root`, turned for the up axis and moved so the model's box is centred on the origin. */
  readonly pivot: Group;
  zUp: boolean;
}

interface Stage {
  readonly renderer: WebGLRenderer;
  readonly scene: Scene;
  readonly camera: PerspectiveCamera;
  readonly controls: OrbitControls;
  readonly hemisphere: HemisphereLight;
  readonly keyLight: DirectionalLight;
  readonly fillLight: DirectionalLight;
}

export class ModelViewer {
  private readonly stageElement: HTMLDivElement;
  private readonly statusElement: HTMLDivElement;
  /** The loading line or the message shown instead of the model (inside statusElement). */
  private readonly messageElement: HTMLParagraphElement;
  private readonly infoElement: HTMLParagraphElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly autoRotateButton: HTMLButtonElement;
  private readonly zUpButton: HTMLButtonElement;
  private readonly reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
  private readonly cleanups: (() => void)[] = [];
  private readonly stage: Stage | undefined;
  private colours: ViewerColours;
  private grid: GridHelper | undefined;
  private model: ShownModel | undefined;
  private framing: Framing | undefined;
  private loadGeneration = 0;
  private frameRequested = false;
  private lastFrameTime: number | undefined;
  private firstFrameMarked = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly texts: ViewerTexts,
    private readonly host: ViewerHost,
  ) {
    container.classList.add('model-viewer');
    const hintId = `${container.id || 'model-viewer'}-hint`;
    this.stageElement = element('div', 'model-viewer-stage', { tabindex: '0', role: 'application', 'aria-describedby': hintId });
    // Named after the model once one is shown; until then by what it does.
    this.stageElement.setAttribute('aria-label', texts.hint);
    this.statusElement = element('div', 'model-viewer-status', { role: 'status' });
    this.messageElement = element('p', 'model-viewer-message', {});
    this.statusElement.append(this.messageElement);
    this.resetButton = button(texts.resetView, 'reset');
    this.autoRotateButton = button(texts.autoRotate, 'auto-rotate');
    this.zUpButton = button(texts.zUp, 'z-up');
    this.infoElement = element('p', 'model-viewer-info', { 'aria-live': 'polite' });
    const hint = element('p', 'model-viewer-hint', { id: hintId });
    hint.textContent = texts.hint;
    const buttons = element('div', 'model-viewer-buttons', {});
    buttons.append(this.resetButton, this.autoRotateButton, this.zUpButton);
    const bar = element('div', 'model-viewer-bar', {});
    bar.append(buttons, this.infoElement);
    this.stageElement.append(this.statusElement);
    container.replaceChildren(this.stageElement, bar, hint);

    this.colours = readViewerColours(this.stageElement);
    this.stage = this.createStage();
    this.setButtonsEnabled(false);
    if (!this.stage) {
      this.showError('webgl-unavailable', 'WebGL could not be started', '');
      return;
    }
    this.setAutoRotate(!this.reducedMotion.matches);
    this.listen();
  }

  /** Shows the model of a `load` message (bytes, or a URI to fetch), replacing the one shown. */
  async load(message: LoadModelMessage): Promise<void> {
    if (!this.stage) {
      this.host.post({ type: 'error', reason: 'webgl-unavailable', detail: 'WebGL could not be started' });
      return;
    }
    const generation = ++this.loadGeneration;
    this.container.classList.remove('model-viewer--error');
    this.container.classList.add('model-viewer--loading');
    this.messageElement.textContent = fillTemplate(this.texts.loading, message.name);
    this.statusElement.setAttribute('role', 'status');
    this.infoElement.textContent = '';
    this.stageElement.setAttribute('aria-label', fillTemplate(this.texts.stageLabel, message.name));
    this.setButtonsEnabled(false);
    this.removeModel();
    this.requestFrame();
    try {
      const bytes = 'bytes' in message ? wholeBuffer(message.bytes) : await fetchModel(message.uri);
      const baseUri = message.baseUri ?? ('uri' in message ? folderOf(message.uri) : undefined);
      const parsed = await parseModel(message.format, bytes, baseUri, this.colours.clay);
      if (generation !== this.loadGeneration) {
        disposeModel(parsed.root);
        return;
      }
      const counts = countModel(parsed.root);
      if (counts.triangles === 0 && counts.points === 0) {
        disposeModel(parsed.root);
        throw new ModelLoadError('empty-model', 'no triangles and no points');
      }
      const pivot = new Group();
      pivot.add(parsed.root);
      this.model = { format: message.format, name: message.name, root: parsed.root, pivot, zUp: parsed.zUp };
      this.stage.scene.add(pivot);
      const size = this.placeModel();
      this.container.classList.remove('model-viewer--loading');
      this.messageElement.textContent = '';
      this.showInfo(counts, size);
      this.setButtonsEnabled(true);
      this.firstFrameMarked = false;
      this.requestFrame();
      this.host.post({
        type: 'loaded',
        format: message.format,
        triangles: counts.triangles,
        vertices: counts.points > 0 && counts.triangles === 0 ? counts.points : counts.vertices,
        size: { x: size.x, y: size.y, z: size.z },
      });
    } catch (error) {
      if (generation !== this.loadGeneration) {
        return;
      }
      this.removeModel();
      const reason = error instanceof ModelLoadError ? error.reason : 'not-a-model';
      this.showError(reason, error instanceof Error ? error.message : String(error), message.name, message.format);
    }
  }

  dispose(): void {
    this.loadGeneration++;
    this.removeModel();
    this.cleanups.splice(0).forEach((cleanup) => cleanup());
    if (this.stage) {
      this.stage.controls.dispose();
      this.stage.renderer.dispose();
    }
  }

  // ------------------------------------------------------------------------------------------------- the stage

  private createStage(): Stage | undefined {
    let renderer: WebGLRenderer;
    try {
      renderer = new WebGLRenderer({ antialias: true, alpha: false, powerPreference: 'default' });
    } catch {
      return undefined;
    }
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    renderer.toneMapping = NeutralToneMapping;
    renderer.domElement.setAttribute('aria-hidden', 'true');
    this.stageElement.prepend(renderer.domElement);
    const scene = new Scene();
    const camera = new PerspectiveCamera(FIELD_OF_VIEW_DEGREES, 1, 0.01, 100);
    // The key and fill lights ride with the camera, so the side being looked at is always lit.
    const hemisphere = new HemisphereLight(0xffffff, 0x4a4a4a, 1.6);
    const keyLight = new DirectionalLight(0xffffff, 2.2);
    keyLight.position.set(-1.2, 1.6, 1.4);
    const fillLight = new DirectionalLight(0xffffff, 0.8);
    fillLight.position.set(1.5, 0.2, 0.8);
    camera.add(keyLight, fillLight);
    scene.add(hemisphere, camera);
    const controls = new OrbitControls(camera, renderer.domElement);
    controls.enableDamping = !this.reducedMotion.matches;
    controls.dampingFactor = 0.15;
    controls.minPolarAngle = MIN_POLAR_ANGLE;
    controls.maxPolarAngle = MAX_POLAR_ANGLE;
    controls.autoRotateSpeed = AUTO_ROTATE_SPEED;
    controls.screenSpacePanning = true;
    this.applyColours(renderer, scene, hemisphere, keyLight, fillLight);
    return { renderer, scene, camera, controls, hemisphere, keyLight, fillLight };
  }

  private listen(): void {
    const stage = this.stage;
    if (!stage) {
      return;
    }
    const on = <E extends Event>(target: EventTarget, type: string, handler: (event: E) => void) => {
      const listener = handler as EventListener;
      target.addEventListener(type, listener);
      this.cleanups.push(() => target.removeEventListener(type, listener));
    };
    const onChange = () => this.requestFrame();
    // The user taking the camera stops auto-rotate where they are, as the panel's turntable does.
    const onStart = () => this.setAutoRotate(false);
    stage.controls.addEventListener('change', onChange);
    stage.controls.addEventListener('start', onStart);
    this.cleanups.push(() => {
      stage.controls.removeEventListener('change', onChange);
      stage.controls.removeEventListener('start', onStart);
    });
    on<KeyboardEvent>(this.stageElement, 'keydown', (event) => this.onKey(event));
    on(stage.renderer.domElement, 'pointerdown', () => this.stageElement.focus({ preventScroll: true }));
    on(this.resetButton, 'click', () => this.resetView());
    on(this.autoRotateButton, 'click', () => this.setAutoRotate(!stage.controls.autoRotate));
    on(this.zUpButton, 'click', () => this.setZUp(!this.model?.zUp));
    on(stage.renderer.domElement, 'webglcontextlost', (event) => {
      event.preventDefault();
      this.showError('webgl-unavailable', 'the WebGL context was lost', this.model?.name ?? '');
    });
    on(stage.renderer.domElement, 'webglcontextrestored', () => {
      this.container.classList.remove('model-viewer--error');
      this.messageElement.textContent = '';
      this.requestFrame();
    });
    const onMotionPreference = () => {
      stage.controls.enableDamping = !this.reducedMotion.matches;
      if (this.reducedMotion.matches) this.setAutoRotate(false);
    };
    this.reducedMotion.addEventListener('change', onMotionPreference);
    this.cleanups.push(() => this.reducedMotion.removeEventListener('change', onMotionPreference));
    const resize = new ResizeObserver(() => this.resize());
    resize.observe(this.stageElement);
    this.cleanups.push(() => resize.disconnect());
    // VS Code swaps the body's theme class and the --vscode-* variables (on <html>'s style) when the theme changes.
    const theme = new MutationObserver(() => this.onThemeChanged());
    theme.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    this.cleanups.push(() => theme.disconnect());
    this.resize();
  }

  private resize(): void {
    if (!this.stage) {
      return;
    }
    const width = Math.max(1, this.stageElement.clientWidth);
    const height = Math.max(1, this.stageElement.clientHeight);
    // CSS sizes the canvas (viewer.css); only the drawing buffer follows here.
    this.stage.renderer.setSize(width, height, false);
    this.stage.camera.aspect = width / height;
    this.stage.camera.updateProjectionMatrix();
    this.requestFrame();
  }

  private requestFrame(): void {
    if (this.frameRequested || !this.stage) {
      return;
    }
    this.frameRequested = true;
    requestAnimationFrame((time) => this.drawFrame(time));
  }

  private drawFrame(time: number): void {
    this.frameRequested = false;
    const stage = this.stage;
    if (!stage) {
      return;
    }
    const seconds = this.lastFrameTime === undefined ? 1 / 60 : Math.min(MAX_FRAME_SECONDS, (time - this.lastFrameTime) / 1000);
    if (this.model) {
      // update() fires 'change' (so asks for the next frame) while auto-rotate or damping still moves the camera.
      stage.controls.update(seconds);
    }
    stage.renderer.render(stage.scene, stage.camera);
    this.lastFrameTime = this.frameRequested ? time : undefined;
    if (this.model && !this.firstFrameMarked) {
      this.firstFrameMarked = true;
      performance.mark(VIEWER_FIRST_FRAME_MARK, { detail: { name: this.model.name } });
    }
  }

  // --------------------------------------------------------------------------------------------------- the model

  /** Turns the model for its up axis, centres it, lays the grid under it and frames it; returns its size. */
  private placeModel(): Vector3 {
    const stage = this.stage;
    const model = this.model;
    if (!stage || !model) {
      return new Vector3();
    }
    model.root.rotation.set(model.zUp ? -Math.PI / 2 : 0, 0, 0);
    model.pivot.position.set(0, 0, 0);
    model.pivot.updateMatrixWorld(true);
    const box = new Box3().setFromObject(model.pivot, true);
    const size = box.getSize(new Vector3());
    if (box.isEmpty() || ![size.x, size.y, size.z].every(Number.isFinite)) {
      throw new ModelLoadError('not-a-model', 'the model has no finite extent');
    }
    model.pivot.position.copy(box.getCenter(new Vector3())).negate();
    const radius = box.getBoundingSphere(new Sphere()).radius || 1;
    this.framing = frameSphere(radius, stage.camera.fov, stage.camera.aspect);
    stage.camera.near = this.framing.near;
    stage.camera.far = this.framing.far;
    stage.camera.updateProjectionMatrix();
    stage.controls.minDistance = this.framing.minDistance;
    stage.controls.maxDistance = this.framing.maxDistance;
    this.placeGrid(Math.max(size.x, size.z), -size.y / 2);
    this.resetView();
    this.zUpButton.setAttribute('aria-pressed', String(model.zUp));
    return size;
  }

  private placeGrid(extent: number, floor: number): void {
    if (!this.stage) {
      return;
    }
    this.removeGrid();
    const cells = 10;
    // A grid of round cells a little wider than the model, just under its lowest point.
    const cell = niceStep((extent * 1.6) / cells);
    const grid = new GridHelper(cell * cells, cells, this.colours.gridCentre, this.colours.grid);
    grid.position.y = floor - extent * 0.002;
    for (const material of materialsOf(grid)) {
      material.toneMapped = false;
      material.transparent = true;
      material.opacity = 0.8;
    }
    this.grid = grid;
    this.stage.scene.add(grid);
  }

  private removeGrid(): void {
    if (this.grid) {
      this.grid.removeFromParent();
      this.grid.dispose();
      this.grid = undefined;
    }
  }

  private removeModel(): void {
    if (this.model) {
      this.model.pivot.removeFromParent();
      disposeModel(this.model.root);
      this.model = undefined;
    }
    this.removeGrid();
  }

  private showInfo(counts: { triangles: number; vertices: number; points: number }, size: Vector3): void {
    const language = document.documentElement.lang || undefined;
    const measure = new Intl.NumberFormat(language, { maximumSignificantDigits: 3 });
    const count = new Intl.NumberFormat(language);
    const format = MODEL_FORMAT_LABELS[this.model?.format ?? 'glb'];
    const extent = [size.x, size.y, size.z].map((value) => measure.format(value));
    this.infoElement.textContent =
      counts.triangles === 0
        ? fillTemplate(this.texts.infoPoints, ...extent, count.format(counts.points), format)
        : fillTemplate(this.texts.info, ...extent, count.format(counts.triangles), count.format(counts.vertices), format);
  }

  private showError(reason: ViewerErrorReason, detail: string, name: string, format?: ModelFormat): void {
    this.container.classList.remove('model-viewer--loading');
    this.container.classList.add('model-viewer--error');
    this.statusElement.setAttribute('role', 'alert');
    this.messageElement.textContent = fillTemplate(this.texts[VIEWER_ERROR_TEXT_KEYS[reason]], name, format ? MODEL_FORMAT_LABELS[format] : '');
    this.infoElement.textContent = '';
    this.setButtonsEnabled(false);
    this.host.post({ type: 'error', reason, detail });
  }

  // ---------------------------------------------------------------------------------------------- the controls

  private resetView(): void {
    const stage = this.stage;
    if (!stage || !this.framing) {
      return;
    }
    this.stopInertia();
    stage.controls.target.copy(this.framing.home.target);
    stage.camera.position.copy(this.framing.home.position);
    stage.camera.lookAt(stage.controls.target);
    stage.controls.update();
    this.requestFrame();
  }

  private setAutoRotate(on: boolean): void {
    if (!this.stage) {
      return;
    }
    this.stage.controls.autoRotate = on;
    if (!on) {
      // Stopped means stopped: no easing out of the turn.
      this.stopInertia();
    }
    this.autoRotateButton.setAttribute('aria-pressed', String(on));
    this.requestFrame();
  }

  /** Ends what damping still had to apply (a fraction of a degree), so the camera rests now. */
  private stopInertia(): void {
    const controls = this.stage?.controls;
    if (!controls?.enableDamping || !this.model) {
      return;
    }
    controls.enableDamping = false;
    controls.update();
    controls.enableDamping = true;
  }

  private setZUp(zUp: boolean): void {
    if (!this.model) {
      return;
    }
    this.model.zUp = zUp;
    const size = this.placeModel();
    this.showInfo(countModel(this.model.root), size);
  }

  private setButtonsEnabled(enabled: boolean): void {
    for (const control of [this.resetButton, this.autoRotateButton, this.zUpButton]) {
      control.disabled = !enabled;
    }
  }

  /** Arrows orbit, Shift+arrows pan, + and − zoom, R or Home resets, Space toggles auto-rotate. */
  private onKey(event: KeyboardEvent): void {
    const stage = this.stage;
    if (!stage || !this.model || !this.framing || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const { camera, controls } = stage;
    const arrows: Record<string, [number, number] | undefined> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const arrow = arrows[event.key];
    if (arrow && event.shiftKey) {
      pan(camera, controls.target, arrow[0] * KEY_PAN_FRACTION, arrow[1] * KEY_PAN_FRACTION);
    } else if (arrow) {
      orbit(camera, controls.target, arrow[0] * KEY_ORBIT_RADIANS, arrow[1] * KEY_ORBIT_RADIANS);
    } else if (event.key === '+' || event.key === '=') {
      dolly(camera, controls.target, KEY_ZOOM_FACTOR, this.framing.minDistance, this.framing.maxDistance);
    } else if (event.key === '-' || event.key === '_') {
      dolly(camera, controls.target, 1 / KEY_ZOOM_FACTOR, this.framing.minDistance, this.framing.maxDistance);
    } else if (event.key === 'r' || event.key === 'R' || event.key === 'Home') {
      this.resetView();
    } else if (event.key === ' ') {
      this.setAutoRotate(!controls.autoRotate);
    } else {
      return;
    }
    event.preventDefault();
    if (event.key !== ' ') {
      // Moving by hand stops auto-rotate, like a drag.
      this.setAutoRotate(false);
    }
    controls.update();
    this.requestFrame();
  }

  private onThemeChanged(): void {
    const stage = this.stage;
    if (!stage) {
      return;
    }
    this.colours = readViewerColours(this.stageElement);
    this.applyColours(stage.renderer, stage.scene, stage.hemisphere, stage.keyLight, stage.fillLight);
    this.model?.root.traverse((object) => {
      for (const material of materialsOf(object)) {
        if (material.userData.multiviewClay) (material as MeshStandardMaterial).color.copy(this.colours.clay);
      }
    });
    if (this.grid && this.model) {
      const box = new Box3().setFromObject(this.model.pivot, true);
      const size = box.getSize(new Vector3());
      this.placeGrid(Math.max(size.x, size.z), box.min.y);
    }
    this.requestFrame();
  }

  private applyColours(renderer: WebGLRenderer, scene: Scene, hemisphere: HemisphereLight, keyLight: DirectionalLight, fillLight: DirectionalLight): void {
    renderer.setClearColor(this.colours.background, 1);
    scene.background = null;
    hemisphere.groundColor.copy(this.colours.background).lerp(hemisphere.color, 0.25);
    hemisphere.intensity = 1.6 * this.colours.lightScale;
    keyLight.intensity = 2.2 * this.colours.lightScale;
    fillLight.intensity = 0.8 * this.colours.lightScale;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, attributes: Record<string, string>): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  return created;
}

function button(label: string, action: string): HTMLButtonElement {
  const created = element('button', 'model-viewer-button', { type: 'button', 'data-viewer-action': action });
  created.textContent = label;
  if (action !== 'reset') created.setAttribute('aria-pressed', 'false');
  return created;
}

function materialsOf(object: Object3D): Material[] {
  const material = (object as Partial<Mesh>).material;
  return material === undefined ? [] : Array.isArray(material) ? material : [material];
}

/** 1, 2 or 5 times a power of ten: grid cells people can read. */
function niceStep(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  const scaled = value / power;
  return (scaled < 1.5 ? 1 : scaled < 3.5 ? 2 : scaled < 7.5 ? 5 : 10) * power;
}

/** The ArrayBuffer holding exactly these bytes (a view of a larger buffer is copied out). */
function wholeBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) {
    return bytes;
  }
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer;
}

function folderOf(uri: string): string | undefined {
  try {
    return new URL('.', uri).href;
  } catch {
    return undefined;
  }
}
