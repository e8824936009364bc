// dist/webview.js: the result panel's script on a page without a 3D model (a page with one loads dist/viewer.js,
// which runs the same panel script beside the viewer).
import { type PanelApi, startPanel } from './panel';

declare function acquireVsCodeApi(): PanelApi;

startPanel(acquireVsCodeApi());
