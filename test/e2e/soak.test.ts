/**
 * "No leak over a long day", shortened for a real VS Code (code-server 4.100.3): 30 generations in one window, each
 * from the Explorer ("Generate Multiview..." on mug.png, the quick input answered, the result panel read, then its tab
 * closed as a person closes it), against the local contract server. It fails on a CLEAR leak only (no timing
 * assertion: the times are logged):
 *   - the extension host's JS heap after a forced GC grows by more than 8 MB from job 5 to job 30 (25 jobs: about
 *     320 KB a job, e.g. a result's pixels or every panel's page kept; the stub-host bench measures the fine figure,
 *     `node out/test/bench/soakBench.js`, against the promise's 10 MB over 180 jobs);
 *   - 7 s after the last job (past the image worker's 5 s idle stop) the extension host has more threads than before
 *     the first job (the worker is still there), or 15 file descriptors more (a socket or file kept per job).
 *
 * How the heap is read from outside: code-server is started with NODE_OPTIONS=--inspect-port=0, which only chooses
 * the port the inspector would use (none is opened). The extension host (the descendant of this host's code-server
 * whose command line has --type=extensionHost and that has Multiview loaded) is sent SIGUSR1, which opens its
 * inspector on a free port, found among its listening sockets (/proc/PID/net/tcp and its fds). Over the Chrome
 * DevTools Protocol (WebSocket, with the `ws` package that code-server ships in .tools, as Node 20 has no stable
 * WebSocket client): HeapProfiler.collectGarbage twice, then Runtime.getHeapUsage. The Debugger domain is never
 * enabled, so the session keeps no scripts alive. Threads and descriptors are read from /proc/PID/task and /fd.
 *
 *   npm run package && npm run compile-tests && node --test out/test/e2e/soak.test.js      (about 10 minutes)
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before } from 'node:test';
import { Host, log, sleep, TOOLS_DIR, waitFor } from '../host/harness';
import { answerApiKey, answerParameters, GENERATE_MENU_TITLE, readResultPanel } from './flows';
import { type ContractServer, outputFolderFor, scenarioRunner, startHostSuite, STOP_TIMEOUT, stopHostSuite } from './suite';

const KEY = `mvSoak-${randomBytes(9).toString('hex')}`;
const JOBS = 30;
const BASELINE_JOB = 5;
const HEAP_BOUND_BYTES = 8 * 1024 * 1024;
const FD_BOUND = 15;
/** Past the image worker's idle stop (5 s). */
const IDLE_WAIT_MS = 7_000;
const MB = 1024 * 1024;

let contract: ContractServer;
let host: Host;
let probe: HeapProbe | undefined;

// The harness's watchdog (600 s by default) would end a run of 30 jobs: this file asks for 40 minutes unless told.
process.env.MULTIVIEW_HOST_TIMEOUT_S ??= '2400';

const scenario = scenarioRunner(() => host, { timeoutMs: 30 * 60_000, prepare: async () => undefined });

before(async () => {
  // Only the port a later SIGUSR1 opens the inspector on (a free one): no inspector is opened by this.
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --inspect-port=0`.trim();
  try {
    ({ host, contract } = await startHostSuite('e2e-soak'));
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
  contract.setScenario('success');
}, { timeout: 300_000 });

after(async () => {
  probe?.close();
  await stopHostSuite(host, contract);
}, STOP_TIMEOUT);

// ------------------------------------------------------------------------------- the extension host, from outside

/** Every process below `root` (by the parent pid in /proc/PID/stat). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after its last ')'.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

const commandLine = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** TCP ports `pid` listens on: its socket inodes matched against /proc/PID/net/tcp{,6} rows in state 0A (LISTEN). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const rows = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const row of rows) {
      const cells = row.trim().split(/\s+/);
      if (cells[3] === '0A' && inodes.has(cells[9])) ports.push(parseInt(cells[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** What /proc says of the process: its threads, its descriptors (sockets apart), its RSS. */
function processFigures(pid: number): { threads: number; fds: number; sockets: number; rssBytes: number } {
  const links = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { threads: fs.readdirSync(`/proc/${pid}/task`).length, fds: links.length, sockets: links.filter((link) => link.startsWith('socket:')).length, rssBytes: rssKb * 1024 };
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        });
      })
      .on('error', reject);
  });
}

interface WebSocketLike {
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(text: string): void;
  close(): void;
}

/** A CDP session on one process's inspector: just the calls the soak needs. */
class HeapProbe {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(
    readonly pid: number,
    private readonly socket: WebSocketLike,
  ) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    });
    socket.on('close', () => this.pending.forEach((waiting) => waiting.reject(new Error('the inspector closed the connection'))));
  }

  /** SIGUSR1 to `pid` opens its inspector (on the port --inspect-port=0 lets it pick); then a WebSocket to it. */
  static async open(pid: number): Promise<HeapProbe> {
    const before = new Set(listeningPorts(pid));
    process.kill(pid, 'SIGUSR1');
    const port = await waitFor(`the inspector of ${pid} listening`, () => listeningPorts(pid).find((candidate) => !before.has(candidate)), 10_000, 100);
    const targets = (await getJson(`http://127.0.0.1:${port}/json/list`)) as { webSocketDebuggerUrl: string }[];
    // ws as code-server ships it (Node 20 has no stable WebSocket client); loaded at run time, from .tools.
    const WebSocket = require(path.join(TOOLS_DIR, 'code-server', 'node_modules', 'ws')) as new (url: string, options: { perMessageDeflate: boolean; maxPayload: number }) => WebSocketLike;
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 256 * MB });
    await new Promise<void>((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    return new HeapProbe(pid, socket);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** An expression's value in the process (the inspector's command-line API gives `require`). */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.call<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true });
    if (answer.exceptionDetails) throw new Error(`${expression}: ${answer.exceptionDetails.text}`);
    return answer.result.value;
  }

  /** The JS heap in use after two full collections. */
  async heapAfterGc(): Promise<number> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    return (await this.call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  }

  close(): void {
    this.socket.close();
  }
}

/** The extension host of this host's window that has Multiview loaded, with its inspector open. */
async function probeExtensionHost(): Promise<HeapProbe> {
  const serverPid = host.server?.pid;
  assert.ok(serverPid, 'code-server runs');
  const candidates = descendants(serverPid).filter((pid) => commandLine(pid).includes('--type=extensionHost'));
  assert.ok(candidates.length > 0, `an extension host runs below code-server ${serverPid}`);
  for (const pid of candidates) {
    const opened = await HeapProbe.open(pid);
    const loaded = await opened.evaluate<boolean>(`Object.keys(require('module')._cache).some((file) => file.includes('multiview-tools.multiview') && file.endsWith('extension.js'))`);
    log(`  extension host ${pid}: Multiview ${loaded ? 'loaded' : 'not loaded'}`);
    if (loaded) return opened;
    opened.close();
  }
  throw new Error(`none of the extension hosts (${candidates.join(', ')}) has Multiview loaded`);
}

// ------------------------------------------------------------------------------------------ the soak

interface JobFigures {
  job: number;
  ms: number;
  heap: number;
  threads: number;
  fds: number;
  sockets: number;
  rssBytes: number;
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(2)} MB`;

/** The user closes the result panel: the close button of its tab. */
async function closePanel(): Promise<void> {
  const tab = host.editorTab(/Multiview: mug\.png/).first();
  await tab.hover();
  await tab.locator('.tab-actions .action-label').first().click();
  await waitFor('the result panel closed', async () => (await host.editorTab(/Multiview: mug\.png/).count()) === 0, 10_000);
}

scenario(`(1) ${JOBS} generations in one window, each panel closed: no clear leak in the extension host`, async () => {
  await host.step('Multiview is active', () =>
    waitFor('Multiview activated in the extension host', () => host.extensionHostLog().includes('_doActivateExtension multiview-tools.multiview,'), 90_000, 500),
  );
  probe = await host.step('open the extension host inspector (SIGUSR1) and connect', probeExtensionHost);
  const pid = probe.pid;
  const start = { heap: await probe.heapAfterGc(), ...processFigures(pid) };
  log(`  before the first job: heap ${mb(start.heap)}, ${start.threads} threads, ${start.fds} fds (${start.sockets} sockets), RSS ${mb(start.rssBytes)}`);

  const jobs: JobFigures[] = [];
  for (let job = 1; job <= JOBS; job++) {
    await host.step(`job ${job}/${JOBS}`, async () => {
      const started = performance.now();
      await host.contextMenu('mug.png', GENERATE_MENU_TITLE);
      if (job === 1) await answerApiKey(host, KEY);
      await answerParameters(host, { prompt: `soak ${job}` });
      await readResultPanel(host, 'mug.png');
      const ms = performance.now() - started;
      await closePanel();
      await host.clearNotifications();
      const figures = { job, ms, heap: await probe!.heapAfterGc(), ...processFigures(pid) };
      jobs.push(figures);
      log(`  job ${job}: ${(ms / 1000).toFixed(1)} s; heap after GC ${mb(figures.heap)}, ${figures.threads} threads, ${figures.fds} fds (${figures.sockets} sockets), RSS ${mb(figures.rssBytes)}`);
    });
  }

  await sleep(IDLE_WAIT_MS);
  const idle = { heap: await probe.heapAfterGc(), ...processFigures(pid) };
  const baseline = jobs[BASELINE_JOB - 1];
  const last = jobs[jobs.length - 1];
  const growth = last.heap - baseline.heap;
  const results = fs.readdirSync(outputFolderFor(host)).filter((file) => /^mug-multiview-.*\.json$/.test(file)).length;
  log(
    `  soak: ${JOBS} jobs, ${results} sidecars saved; heap after GC ${mb(start.heap)} before job 1, ${mb(baseline.heap)} after job ${BASELINE_JOB}, ${mb(last.heap)} after job ${JOBS} ` +
      `(${growth >= 0 ? '+' : ''}${mb(growth)}), ${mb(idle.heap)} idle; threads ${start.threads} -> ${last.threads} -> ${idle.threads} idle; ` +
      `fds ${start.fds} -> ${last.fds} -> ${idle.fds} idle (sockets ${start.sockets} -> ${idle.sockets}); RSS ${mb(start.rssBytes)} -> ${mb(idle.rssBytes)}; ` +
      `job time: jobs 2-6 ${(jobs.slice(1, 6).reduce((sum, figures) => sum + figures.ms, 0) / 5000).toFixed(1)} s each, last 5 ${(jobs.slice(-5).reduce((sum, figures) => sum + figures.ms, 0) / 5000).toFixed(1)} s each`,
  );
  host.addArtifact('soak-figures.json', () => JSON.stringify({ start, jobs, idle }, null, 2));

  // The probe reads what it should: an allocation of known size in the extension host shows, then goes with a GC.
  await host.step('the probe sees an allocation of about 8 MB in the extension host, and its release', async () => {
    await probe!.evaluate(`void (globalThis.__multiviewSoakProbe = Array.from({ length: 1_000_000 }, (_, i) => i + 0.5))`);
    const held = await probe!.heapAfterGc();
    await probe!.evaluate(`void delete globalThis.__multiviewSoakProbe`);
    const released = await probe!.heapAfterGc();
    log(`  probe check: ${mb(idle.heap)} -> ${mb(held)} holding 10^6 numbers -> ${mb(released)} released`);
    assert.ok(held - idle.heap >= 4 * MB && held - released >= 4 * MB, 'the heap figure follows an allocation in the extension host');
  });

  assert.equal(results, JOBS, `every job saved its result (${results} sidecars)`);
  assert.ok(growth <= HEAP_BOUND_BYTES, `the extension host's heap after GC grew by ${mb(growth)} from job ${BASELINE_JOB} to job ${JOBS} (bound ${mb(HEAP_BOUND_BYTES)})`);
  assert.ok(idle.threads <= start.threads, `${IDLE_WAIT_MS / 1000} s after the last job the extension host has ${idle.threads} threads, ${start.threads} before the first job: the image worker (or another thread) was not stopped`);
  assert.ok(idle.fds - start.fds <= FD_BOUND, `the extension host holds ${idle.fds} file descriptors idle, ${start.fds} before the first job (${idle.sockets} sockets vs ${start.sockets})`);
});
