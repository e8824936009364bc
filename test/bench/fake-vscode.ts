/**
 * A stub of the `vscode` API with just what activate() and the first steps of "Generate Multiview" touch, so the
 * bundle can be loaded and timed in a plain Node process. It is NOT VS Code: no IPC, no workbench, no UI.
 * install() makes `require('vscode')` resolve to it.
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
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((known) => known !== listener)));
  };
  fire(value: T): void {
    this.listeners.forEach((listener) => listener(value));
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

/** An InputBox or QuickPick: properties are plain fields, events never fire, show() is reported. */
function quickInput(kind: 'InputBox' | 'QuickPick', onShow: (input: Record<string, unknown>) => void): Record<string, unknown> {
  const never = (): Disposable => new Disposable(() => undefined);
  const input: Record<string, unknown> = {
    kind,
    items: [],
    activeItems: [],
    selectedItems: [],
    buttons: [],
    onDidChangeValue: never,
    onDidAccept: never,
    onDidTriggerButton: never,
    onDidHide: never,
    onDidChangeSelection: never,
    onDidChangeActive: never,
    show: () => onShow(input),
    hide: () => undefined,
    dispose: () => undefined,
  };
  return input;
}

function outputChannel(name: string): Record<string, unknown> {
  const ignore = (): void => undefined;
  return { name, logLevel: 2, onDidChangeLogLevel: new EventEmitter<number>().event, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore, append: ignore, appendLine: ignore, replace: ignore, clear: ignore, show: ignore, hide: ignore, dispose: ignore };
}

export interface FakeHost {
  /** Registered command handlers by id. */
  commands: Map<string, (...args: unknown[]) => unknown>;
  /** The ExtensionContext passed to activate(). */
  context: Record<string, unknown>;
  /** Resolves with process.hrtime.bigint() and the input itself when the first quick input's show() is called. */
  firstInputShown: Promise<{ at: bigint; input: Record<string, unknown> }>;
  Uri: typeof Uri;
}

export function installFakeVscode(options: { extensionPath: string; workspacePath: string; secrets: Record<string, string> }): FakeHost {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  let reportShown: (value: { at: bigint; input: Record<string, unknown> }) => void = () => undefined;
  const firstInputShown = new Promise<{ at: bigint; input: Record<string, unknown> }>((resolve) => (reportShown = resolve));
  const onShow = (input: Record<string, unknown>): void => reportShown({ at: process.hrtime.bigint(), input });
  const workspaceFolder = { uri: Uri.file(options.workspacePath), name: path.basename(options.workspacePath), index: 0 };
  const secrets = new Map(Object.entries(options.secrets));
  const memento = () => {
    const values = new Map<string, unknown>();
    return { keys: () => [...values.keys()], get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback), update: async (key: string, value: unknown) => void values.set(key, value) };
  };
  const notShown = async (): Promise<undefined> => undefined;

  const api = {
    Disposable,
    EventEmitter,
    Uri,
    TabInputText,
    TabInputCustom,
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    QuickInputButtons: { Back: { iconPath: 'back' } },
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
    window: {
      createOutputChannel: outputChannel,
      createInputBox: () => quickInput('InputBox', onShow),
      createQuickPick: () => quickInput('QuickPick', onShow),
      showInputBox: notShown,
      showQuickPick: notShown,
      showErrorMessage: notShown,
      showWarningMessage: notShown,
      showInformationMessage: notShown,
      setStatusBarMessage: () => new Disposable(() => undefined),
      createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
      registerWebviewPanelSerializer: () => new Disposable(() => undefined),
      // The History view: registered at activation, scanned only when shown (never, here).
      createTreeView: () => ({ visible: false, message: undefined, onDidChangeVisibility: new EventEmitter<unknown>().event, dispose: () => undefined }),
      tabGroups: { activeTabGroup: { activeTab: undefined } },
    },
    workspace: {
      workspaceFolders: [workspaceFolder],
      getWorkspaceFolder: (uri: Uri) => (uri.fsPath.startsWith(workspaceFolder.uri.fsPath + path.sep) ? workspaceFolder : undefined),
      getConfiguration: () => ({
        get: (_key: string, fallback?: unknown) => fallback,
        has: () => false,
        inspect: (key: string) => ({ key }),
        update: async () => undefined,
      }),
      asRelativePath: (target: Uri | string) => path.relative(workspaceFolder.uri.fsPath, typeof target === 'string' ? target : target.fsPath),
      findFiles: async () => [],
    },
  };

  const context: Record<string, unknown> = {
    subscriptions: [],
    extensionPath: options.extensionPath,
    extensionUri: Uri.file(options.extensionPath),
    extensionMode: 1,
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

  return { commands, context, firstInputShown, Uri };
}
