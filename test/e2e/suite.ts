/**
 * What every real-host test file shares: its own contract server and code-server, started before its tests and
 * stopped after them, and its scenarios (a test with a cap, a clean UI first, failure artefacts).
 * Not a test file itself (node --test only runs *.test.js).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startContractServer } from '../contract-server/server';
import { Host, type HostOptions } from '../host/harness';
import { resetUi } from './flows';

export type ContractServer = Awaited<ReturnType<typeof startContractServer>>;

/** Where the suites save results: a folder every test can list, beside each image. */
export const OUTPUT_FOLDER_SETTING = '${imageFolder}/generated';

/** Where OUTPUT_FOLDER_SETTING puts the results of the images in `imageFolder` (workspace-relative; '' the root). */
export function outputFolderFor(host: Host, imageFolder = ''): string {
  return path.join(host.workspace.dir, imageFolder, 'generated');
}

/** The contract server, then code-server with the packaged .vsix, every API URL pointed at that server. */
/** `hostOptions`: more for the host, e.g. test-only extensions installed beside the product. */
export async function startHostSuite(
  label: string,
  settings: Record<string, unknown> = {},
  hostOptions: Pick<HostOptions, 'extraExtensions'> = {},
): Promise<{ host: Host; contract: ContractServer }> {
  const contract = await startContractServer();
  const host = await Host.start({
    ...hostOptions,
    vsix: process.env.MULTIVIEW_VSIX,
    label,
    settings: {
      'multiview.apiBaseUrl': contract.baseUrl,
      'multiview.uploadBaseUrl': contract.baseUrl,
      'multiview.outputFolder': OUTPUT_FOLDER_SETTING,
      'multiview.timeouts.requestSeconds': 8,
      'multiview.timeouts.jobSeconds': 60,
      ...settings,
    },
  });
  host.addArtifact('contract-requests.json', () => JSON.stringify(contract.requests, null, 2));
  return { host, contract };
}

export async function stopHostSuite(host: Host | undefined, contract: ContractServer | undefined): Promise<void> {
  await host?.stop();
  await contract?.close();
}

/** The suite's `before`/`after` timeouts: starting code-server cold takes up to a few minutes on a busy machine. */
export const START_TIMEOUT = { timeout: 240_000 };
export const STOP_TIMEOUT = { timeout: 60_000 };

/**
 * Set by `npm test` in VS Code 1.100's lane when VS Code 1.139 runs every file in the same run. A scenario marked
 * `sameInEveryHost` (its subject is the extension's own handling of the service's answers, the same code in every
 * host; what a host shows of an error is tested in both) then runs in 1.139 only, and says so as a skip here.
 */
const SAME_IN_EVERY_HOST_TESTED_ELSEWHERE = process.env.MULTIVIEW_SAME_IN_EVERY_HOST_ELSEWHERE === '1';

export interface ScenarioOptions {
  timeoutMs?: number;
  sameInEveryHost?: boolean;
}

/**
 * A file's `scenario(name, fn, timeoutMs | options?)`: a test with a cap that first makes the UI clean (`prepare`,
 * by default no quick input, notification or editor) and keeps artefacts when a step fails.
 */
export function scenarioRunner(
  getHost: () => Host | undefined,
  options: { timeoutMs: number; prepare?: (host: Host) => Promise<void> },
): (name: string, fn: (t: TestContext) => Promise<void>, timeoutOrOptions?: number | ScenarioOptions) => void {
  const prepare = options.prepare ?? resetUi;
  return (name, fn, timeoutOrOptions) => {
    const { timeoutMs = options.timeoutMs, sameInEveryHost = false } = typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions } : (timeoutOrOptions ?? {});
    const skip = sameInEveryHost && SAME_IN_EVERY_HOST_TESTED_ELSEWHERE ? 'the same in every host: this run tests it in VS Code 1.139' : false;
    test(name, { timeout: timeoutMs, skip }, async (t) => {
      const host = getHost();
      assert.ok(host, 'the host started');
      await prepare(host);
      await host.step(name, () => fn(t));
    });
  };
}
