// The 3D viewer's entry (dist/viewer.js): mounts on the page's `#model-viewer` element and shows the models the
// extension host sends. The page needs only the container and this script:
//
//   <div id="model-viewer" data-texts="{…translated ViewerTexts as JSON…}" data-host="vscode|page"></div>
//   <script nonce="…" src="…/dist/viewer.js"></script>
//
// data-host="vscode" (the default): the viewer is the page (the model editor). data-host="page": the page is a result
// panel, whose script (../panel.ts) this bundle runs too, so the page has one script and one VS Code API.
// Host → viewer messages arrive as window `message` events either way.
import { isToViewerMessage, parseViewerTexts } from '../../shared/viewerMessages';
import { type PanelApi, startPanel } from '../panel';
import { ModelViewer, type ViewerHost } from './modelViewer';

declare function acquireVsCodeApi(): PanelApi;

function mount(): void {
  const container = document.getElementById('model-viewer');
  if (!container) {
    return;
  }
  const vscode = acquireVsCodeApi();
  if (container.dataset.host === 'page') {
    startPanel(vscode);
  }
  const host: ViewerHost = { post: (message) => vscode.postMessage(message) };
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
