// @vscode/test-cli configuration for the in-host tests (`npm run test:electron`). It downloads VS Code unless
// VSCODE_EXECUTABLE_PATH points at an installed one (machines without internet must set it).
import { defineConfig } from '@vscode/test-cli';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const executable = process.env.VSCODE_EXECUTABLE_PATH;

export default defineConfig({
  label: 'multiview-in-host',
  files: join(root, 'out/test/electron/**/*.test.js'),
  extensionDevelopmentPath: root,
  workspaceFolder: mkdtempSync(join(tmpdir(), 'multiview-electron-')),
  ...(executable ? { useInstallation: { fromPath: executable } } : { version: '1.100.3' }),
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'bdd', timeout: 120_000 },
});
