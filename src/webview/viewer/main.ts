// The 3D viewer's entry (dist/viewer.js): mounts on the page's `#model-viewer` element and shows the models the
// extension host sends. The page needs only the container and this script:
//
//   <div id="model-viewer" data-texts="{…translated ViewerTexts as JSON…}" data-host="vscode|page"></div>
//   <script nonce="…" src="…/dist/viewer.js"></script>
//
// data-host="vscode" (the default): this script owns the page's VS Code API (a page whose only script it is, like the
// model editor). data-host="page": the page's own script owns the API (the result panel); the viewer then
// dispatches each message as a `multiview-viewer-message` DOM event on the container, and that script forwards it.
// Host → viewer messages arrive as window `message` events either way.
import {
  type FromViewerMessage,
  isToViewerMessage,
  parseViewerTexts,
  VIEWER_MESSAGE_EVENT,
} from '../../shared/viewerMessages';
import { ModelViewer, type ViewerHost } from './modelViewer';

declare function acquireVsCodeApi(): { postMessage(message: FromViewerMessage): void };

function hostFor(container: HTMLElement): ViewerHost {
  if (container.dataset.host === 'page') {
    return { post: (message) => container.dispatchEvent(new CustomEvent(VIEWER_MESSAGE_EVENT, { detail: message, bubbles: true })) };
  }
  const vscode = acquireVsCodeApi();
  return { post: (message) => vscode.postMessage(message) };
}

function mount(): void {
  const container = document.getElementById('model-viewer');
  if (!container) {
    return;
  }
  const host = hostFor(container);
  const viewer = new ModelViewer(container, parseViewerTexts(container.dataset.texts), host);
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isToViewerMessage(event.data)) {
      void viewer.load(event.data);
    }
  });
  window.addEventListener('pagehide', () => viewer.dispose(), { once: true });
  host.post({ type: 'ready' });
}

// After the page's other scripts ran (they may listen for the viewer's events), then say "ready".
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', mount, { once: true });
} else {
  mount();
}
