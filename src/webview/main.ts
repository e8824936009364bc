// The result panel's only script: forwards button clicks to the extension as typed messages.
import type { FromPanelMessage, PanelFile } from '../shared/messages';

declare function acquireVsCodeApi(): { postMessage(message: FromPanelMessage): void };

const vscode = acquireVsCodeApi();

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
  if (!button) {
    return;
  }
  if (button.dataset.action === 'reveal') {
    vscode.postMessage({ type: 'reveal' });
  } else if (button.dataset.action === 'open') {
    vscode.postMessage({ type: 'open', file: button.dataset.file as PanelFile });
  }
});
