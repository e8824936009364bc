/**
 * A stub of the `vscode` API with just what activation, the first steps of "Generate Multiview" and (with
 * `autoAccept`) a whole generation up to its result panel touch, so that the shipped bundles can be loaded and timed
 * in a plain Node process. It is NOT VS Code: no IPC, no workbench, no rendering. install() makes `require('vscode')`
 * resolve to it.
 *
 * With `autoAccept`, every quick input is answered as a person pressing Enter at once would (the active item, or the
 * value shown), every progress notification runs its task, and each webview panel records when its HTML is set.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

type Listener<T> = (event: T) => unknown;

class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  /** As VS Code's Event: (listener, thisArgs?, disposables?) => Disposable. */
  readonly event = (listener: Listener<T>, thisArgs?: unknown, disposables?: Disposable[]): Disposable => {
    const bound: Listener<T> = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.listeners.push(bound);
    const subscription = new Disposable(() => (this.listeners = this.listeners.filter((known) => known !== bound)));
    disposables?.push(subscription);
    return subscription;
  };
  fire(value: T): void {
    [...this.listeners].forEach((listener) => listener(value));
  }
  /** How many listeners are subscribed now (the soak bench counts those a closed panel still has). */
  get listenerCount(): number {
    return this.listeners.length;
  }
  dispose(): void {
    this.listeners = [];
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri('file', path.resolve(fsPath).split(path.sep).join('/'));
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...segments));
  }
  get fsPath(): string {
    return path.normalize(this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

class TabInputText {}
class TabInputCustom {}

class CancellationTokenSource {
  private readonly cancelled = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.cancelled.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.cancelled.fire();
  }
  dispose(): void {
    this.cancelled.dispose();
  }
}

const SEPARATOR = -1;

/** An InputBox or QuickPick: properties are plain fields; show() is reported and, with autoAccept, answered. */
function quickInput(kind: 'InputBox' | 'QuickPick', onShow: (input: Record<string, unknown>) => void, autoAccept: boolean): Record<string, unknown> {
  const accepted = new EventEmitter<void>();
  const hidden = new EventEmitter<void>();
  const never = new EventEmitter<unknown>().event;
  const input: Record<string, unknown> = {
    kind,
    value: '',
    items: [],
    activeItems: [],
    selectedItems: [],
    buttons: [],
    onDidChangeValue: never,
    onDidAccept: accepted.event,
    onDidTriggerButton: never,
    onDidTriggerItemButton: never,
    onDidHide: hidden.event,
    onDidChangeSelection: never,
    onDidChangeActive: never,
    show: () => {
      onShow(input);
      if (autoAccept) {
        // Enter: a quick pick accepts its active item (VS Code makes the first one active when none is set).
        setImmediate(() => {
          const items = input.items as { kind?: number }[];
          if (kind === 'QuickPick' && (input.activeItems as unknown[]).length === 0) {
            input.activeItems = items.filter((item) => item.kind !== SEPARATOR).slice(0, 1);
          }
          accepted.fire();
        });
      }
    },
    hide: () => hidden.fire(),
    dispose: () => undefined,
  };
  return input;
}

/** When something was written to the log, and what. */
export interface LogLine {
  at: bigint;
  level: string;
  line: string;
}

function outputChannel(name: string, onLog: (entry: LogLine) => void): Record<string, unknown> {
  const ignore = (): void => undefined;
  const level = (name: string) => (line: string) => onLog({ at: process.hrtime.bigint(), level: name, line: String(line) });
  return {
    name,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter<number>().event,
    trace: level('trace'),
    debug: level('debug'),
    info: level('info'),
    warn: level('warn'),
    error: level('error'),
    append: ignore,
    appendLine: level('line'),
    replace: ignore,
    clear: ignore,
    show: ignore,
    hide: ignore,
    dispose: ignore,
  };
}

/** A webview panel as the bench sees it: each assignment of its HTML, timed. */
export interface FakePanel {
  viewType: string;
  htmlSets: { at: bigint; html: string }[];
  /** What a person closing the panel does. */
  close(): void;
  /** Closed by the user or disposed by the extension. */
  readonly disposed: boolean;
  /** Listeners subscribed now to the panel's and its webview's events (onDidDispose, onDidChangeViewState, onDidReceiveMessage). */
  listenerCount(): number;
}

export interface FakeHost {
  /** Registered command handlers by id. */
  commands: Map<string, (...args: unknown[]) => unknown>;
  /** The ExtensionContext passed to activate(). */
  context: Record<string, unknown>;
  /** Resolves with process.hrtime.bigint() and the input itself when the first quick input's show() is called. */
  firstInputShown: Promise<{ at: bigint; input: Record<string, unknown> }>;
  /** Every line written to an output channel, timed. */
  log: LogLine[];
  /** Every webview panel created, in order. */
  panels: FakePanel[];
  /** Messages the extension showed (errors, warnings, information), for a bench that must tell a failure. */
  messages: { severity: string; text: string }[];
  Uri: typeof Uri;
}

export interface FakeHostOptions {
  extensionPath: string;
  workspacePath: string;
  secrets: Record<string, string>;
  /** Values of the `multiview.*` settings (as user settings: inspect() reports them as the global value). */
  settings?: Record<string, unknown>;
  /** Answer every quick input with Enter, run progress tasks, record panels (see the header). */
  autoAccept?: boolean;
}

export function installFakeVscode(options: FakeHostOptions): FakeHost {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const autoAccept = options.autoAccept ?? false;
  const settings = options.settings ?? {};
  const log: LogLine[] = [];
  const panels: FakePanel[] = [];
  const messages: { severity: string; text: string }[] = [];
  let reportShown: (value: { at: bigint; input: Record<string, unknown> }) => void = () => undefined;
  const firstInputShown = new Promise<{ at: bigint; input: Record<string, unknown> }>((resolve) => (reportShown = resolve));
  const onShow = (input: Record<string, unknown>): void => reportShown({ at: process.hrtime.bigint(), input });
  const workspaceFolder = { uri: Uri.file(options.workspacePath), name: path.basename(options.workspacePath), index: 0 };
  const secrets = new Map(Object.entries(options.secrets));
  const memento = () => {
    const values = new Map<string, unknown>();
    return { keys: () => [...values.keys()], get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback), update: async (key: string, value: unknown) => void values.set(key, value) };
  };
  const shown = (severity: string) => async (text: string): Promise<undefined> => {
    messages.push({ severity, text });
    return undefined;
  };
  const disposable = () => new Disposable(() => undefined);

  const createWebviewPanel = (viewType: string): Record<string, unknown> => {
    const disposed = new EventEmitter<void>();
    const received = new EventEmitter<unknown>();
    const viewState = new EventEmitter<unknown>();
    let isDisposed = false;
    const dispose = (): void => {
      isDisposed = true;
      disposed.fire();
    };
    const record: FakePanel = {
      viewType,
      htmlSets: [],
      close: dispose,
      get disposed() {
        return isDisposed;
      },
      listenerCount: () => disposed.listenerCount + received.listenerCount + viewState.listenerCount,
    };
    panels.push(record);
    let html = '';
    const webview = {
      options: {},
      cspSource: 'https://fake.vscode-cdn.net',
      asWebviewUri: (uri: Uri) => `https://file+.vscode-resource.fake${uri.path}`,
      onDidReceiveMessage: received.event,
      postMessage: async () => true,
      get html(): string {
        return html;
      },
      set html(value: string) {
        html = value;
        record.htmlSets.push({ at: process.hrtime.bigint(), html: value });
      },
    };
    return { viewType, title: '', iconPath: undefined, webview, visible: true, active: true, onDidDispose: disposed.event, onDidChangeViewState: viewState.event, reveal: () => undefined, dispose };
  };

  const api = {
    Disposable,
    EventEmitter,
    Uri,
    TabInputText,
    TabInputCustom,
    CancellationTokenSource,
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickInputButtons: { Back: { iconPath: 'back' } },
    QuickPickItemKind: { Separator: SEPARATOR, Default: 0 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    l10n: {
      bundle: undefined,
      uri: undefined,
      t: (message: string | { message: string; args?: unknown[] }, ...args: unknown[]): string => {
        const text = typeof message === 'string' ? message : message.message;
        const values = typeof message === 'string' ? args : (message.args ?? []);
        return text.replace(/\{(\d+)\}/g, (match, index: string) => (values[Number(index)] === undefined ? match : String(values[Number(index)])));
      },
    },
    env: { language: 'en' },
    ThemeIcon: class ThemeIcon {
      constructor(readonly id: string) {}
    },
    commands: {
      registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
        commands.set(id, handler);
        return new Disposable(() => commands.delete(id));
      },
      executeCommand: async (id: string, ...args: unknown[]) => commands.get(id)?.(...args),
    },
    lm: {
      registerTool: disposable,
    },
    window: {
      createOutputChannel: (name: string) => outputChannel(name, (entry) => log.push(entry)),
      createInputBox: () => quickInput('InputBox', onShow, autoAccept),
      createQuickPick: () => quickInput('QuickPick', onShow, autoAccept),
      showInputBox: async () => undefined,
      showQuickPick: async () => undefined,
      showErrorMessage: shown('error'),
      showWarningMessage: shown('warning'),
      showInformationMessage: shown('information'),
      setStatusBarMessage: disposable,
      createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
      registerWebviewPanelSerializer: disposable,
      registerCustomEditorProvider: disposable,
      createWebviewPanel,
      withProgress: async <T>(_options: unknown, task: (progress: { report(value: unknown): void }, token: unknown) => Promise<T>): Promise<T> =>
        task({ report: () => undefined }, new CancellationTokenSource().token),
      // The History view: registered at activation, scanned only when shown (never, here).
      createTreeView: () => ({ visible: false, message: undefined, onDidChangeVisibility: new EventEmitter<unknown>().event, dispose: () => undefined }),
      tabGroups: { activeTabGroup: { activeTab: undefined } },
    },
    workspace: {
      workspaceFolders: [workspaceFolder],
      getWorkspaceFolder: (uri: Uri) => (uri.fsPath.startsWith(workspaceFolder.uri.fsPath + path.sep) ? workspaceFolder : undefined),
      getConfiguration: () => ({
        get: (key: string, fallback?: unknown) => (key in settings ? settings[key] : fallback),
        has: (key: string) => key in settings,
        inspect: (key: string) => ({ key, ...(key in settings ? { globalValue: settings[key] } : {}) }),
        update: async () => undefined,
      }),
      asRelativePath: (target: Uri | string) => path.relative(workspaceFolder.uri.fsPath, typeof target === 'string' ? target : target.fsPath),
      findFiles: async () => [],
      onDidChangeWorkspaceFolders: new EventEmitter<unknown>().event,
      createFileSystemWatcher: () => ({ onDidCreate: disposable, onDidChange: disposable, onDidDelete: disposable, dispose: () => undefined }),
    },
  };

  const context: Record<string, unknown> = {
    subscriptions: [],
    extensionPath: options.extensionPath,
    extensionUri: Uri.file(options.extensionPath),
    extensionMode: 1,
    asAbsolutePath: (relative: string) => path.join(options.extensionPath, relative),
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (key: string) => secrets.get(key),
      store: async (key: string, value: string) => void secrets.set(key, value),
      delete: async (key: string) => void secrets.delete(key),
      onDidChange: new EventEmitter<unknown>().event,
    },
    // The real manifest: the activation shim registers what it declares.
    extension: { id: 'multiview-tools.multiview', packageJSON: { ...(JSON.parse(readFileSync(path.join(options.extensionPath, 'package.json'), 'utf8')) as object), version: '0.0.0-bench' } },
  };

  // `require('vscode')` -> this object, as the extension host does for real.
  const id = path.join(__dirname, '__fake_vscode__.js');
  const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? id : resolve.call(this, request, ...rest);
  };
  const fake = new Module(id);
  fake.filename = id;
  fake.loaded = true;
  fake.exports = api;
  require.cache[id] = fake;

  return { commands, context, firstInputShown, log, panels, messages, Uri };
}
