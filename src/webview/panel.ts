// The result panel's script: forwards button clicks to the extension as typed messages, plays the turntable and
// saves what a reload needs (the sidecar's path and the turntable's speed). It runs from dist/webview.js on a page
// without a model, and inside dist/viewer.js on a page with one (one script per page, one VS Code API).
import {
  clampFramesPerSecond,
  type FromPanelMessage,
  isToPanelMessage,
  type PanelFile,
  type PanelState,
  parsePanelState,
} from '../shared/messages';
import type { ExportKind } from '../shared/exportKinds';
import type { FromViewerMessage } from '../shared/viewerMessages';

/** The page's VS Code API, as acquireVsCodeApi() gives it (once per page). */
export interface PanelApi {
  postMessage(message: FromPanelMessage | FromViewerMessage): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

/** Pointer travel, in CSS pixels, that turns the turntable by one frame. */
const DRAG_PIXELS_PER_FRAME = 24;

export function startPanel(vscode: PanelApi): void {
  const stage = document.getElementById('turntable-stage');
  const frames = stage ? [...stage.querySelectorAll<HTMLImageElement>('img.frame')] : [];
  const playButton = document.getElementById('turntable-play') as HTMLButtonElement | null;
  const speedInput = document.getElementById('turntable-speed') as HTMLInputElement | null;
  const speedOutput = document.getElementById('turntable-speed-value') as HTMLOutputElement | null;
  const sidecarPath = document.body.dataset.sidecarPath ?? '';

  let current = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  // A speed saved before a reload (or before the extension re-rendered the page) wins over the rendered default.
  let framesPerSecond = clampFramesPerSecond(
    parsePanelState(vscode.getState())?.framesPerSecond ?? Number(speedInput?.value),
  );

  function saveState(): void {
    if (sidecarPath) {
      vscode.setState({ sidecarPath, framesPerSecond });
    }
  }

  function show(index: number): void {
    if (!stage || frames.length === 0) {
      return;
    }
    current = ((index % frames.length) + frames.length) % frames.length;
    frames.forEach((frame, i) => frame.classList.toggle('current', i === current));
    stage.setAttribute('aria-valuenow', String(current));
    stage.setAttribute('aria-valuetext', frames[current].dataset.valuetext ?? '');
  }

  function play(): void {
    stop();
    timer = setInterval(() => show(current + 1), 1000 / framesPerSecond);
    updatePlayButton();
  }

  function stop(): void {
    if (timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
    updatePlayButton();
  }

  function updatePlayButton(): void {
    if (!playButton) {
      return;
    }
    const playing = timer !== undefined;
    playButton.textContent = (playing ? playButton.dataset.pauseLabel : playButton.dataset.playLabel) ?? '';
    playButton.setAttribute('aria-pressed', String(playing));
  }

  function setSpeed(value: number): void {
    framesPerSecond = clampFramesPerSecond(value);
    if (speedInput) {
      speedInput.value = String(framesPerSecond);
    }
    if (speedOutput) {
      speedOutput.textContent = (speedOutput.dataset.template ?? '{0}').replace('{0}', String(framesPerSecond));
    }
    if (timer !== undefined) {
      play();
    }
    saveState();
  }

  if (stage && frames.length > 0 && !stage.closest('[hidden]')) {
    stage.addEventListener('keydown', (event) => {
      const steps: Record<string, (() => number) | undefined> = {
        ArrowRight: () => current + 1,
        ArrowUp: () => current + 1,
        ArrowLeft: () => current - 1,
        ArrowDown: () => current - 1,
        Home: () => 0,
        End: () => frames.length - 1,
      };
      const next = steps[event.key];
      if (next) {
        // Turning by hand stops the turntable where the user put it.
        stop();
        show(next());
        event.preventDefault();
      } else if (event.key === ' ' || event.key === 'Enter') {
        if (timer === undefined) play();
        else stop();
        event.preventDefault();
      }
    });
    let dragStartX: number | undefined;
    let dragStartFrame = 0;
    stage.addEventListener('pointerdown', (event) => {
      stop();
      dragStartX = event.clientX;
      dragStartFrame = current;
      stage.setPointerCapture(event.pointerId);
      stage.classList.add('dragging');
      event.preventDefault();
    });
    stage.addEventListener('pointermove', (event) => {
      if (dragStartX !== undefined) {
        show(dragStartFrame + Math.trunc((event.clientX - dragStartX) / DRAG_PIXELS_PER_FRAME));
      }
    });
    const endDrag = () => {
      dragStartX = undefined;
      stage.classList.remove('dragging');
    };
    stage.addEventListener('pointerup', endDrag);
    stage.addEventListener('pointercancel', endDrag);
    playButton?.addEventListener('click', () => (timer === undefined ? play() : stop()));
    speedInput?.addEventListener('input', () => setSpeed(Number(speedInput.value)));
    setSpeed(framesPerSecond);
    show(0);
    // Motion only when the user has not asked the system for less of it.
    if (!window.matchMedia('(prefers-reduced-motion: reduce)').matches) {
      play();
    }
  } else {
    saveState();
  }

  document.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
    if (!button) {
      return;
    }
    if (button.dataset.action === 'reveal') {
      vscode.postMessage({ type: 'reveal' });
    } else if (button.dataset.action === 'open') {
      vscode.postMessage({ type: 'open', file: button.dataset.file as PanelFile });
    } else if (button.dataset.action === 'makeModel') {
      vscode.postMessage({ type: 'makeModel' });
    } else if (button.dataset.action === 'openExported') {
      vscode.postMessage({ type: 'openExported', file: button.dataset.file ?? '' });
    } else if (button.dataset.action === 'export') {
      // Busy until the host says this export finished (saved or not).
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      vscode.postMessage({ type: 'export', kind: button.dataset.kind as ExportKind, framesPerSecond });
    }
  });

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isToPanelMessage(event.data)) {
      return;
    }
    for (const button of document.querySelectorAll<HTMLButtonElement>(`button[data-action="export"][data-kind="${event.data.kind}"]`)) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
}
