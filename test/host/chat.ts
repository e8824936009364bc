/**
 * VS Code 1.139's Chat view, driven as a person drives it (type, Enter, read the confirmation, allow or skip, stop),
 * with the test-only scripted model (test/host/scripted-model) that calls the tool the test chose. Selectors measured
 * on code-server 4.139.1 (shared/reference/real-chat-host.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Host, type Locator, log, REPO_ROOT, sleep, waitFor } from './harness';

export const SCRIPTED_MODEL_EXTENSION = path.join(REPO_ROOT, 'test', 'host', 'scripted-model');
const SCRIPTED_MODEL_ID = 'multiview-tests.scripted-model';
/** The chat input's stop button, shown while a request runs ("Cancel (Ctrl+Escape)" in 1.139). */
const STOP_BUTTON = '.action-label[aria-label^="Cancel"], .action-label.codicon-stop-circle, .action-label.codicon-debug-stop';

/** One request the scripted model received, as it logged it (requests.jsonl). */
export interface ScriptedModelRequest {
  at: number;
  messages: { role: string; parts: { type: string; value?: string; name?: string; input?: unknown; mimeType?: string; bytes?: number; content?: { type: string; value?: string; mimeType?: string; bytes?: number }[] }[] }[];
  tools: string[];
}

export class ChatView {
  constructor(private readonly host: Host) {}

  private get page() {
    return this.host.page;
  }

  /** The scripted model's folder (its global storage): script.json in, requests.jsonl out. */
  get modelFolder(): string {
    return path.join(this.host.userDataDir, 'User', 'globalStorage', SCRIPTED_MODEL_ID);
  }

  /** The next request that ends with the person's words calls `tool` with `input`. */
  script(tool: string, input: unknown): void {
    fs.mkdirSync(this.modelFolder, { recursive: true });
    fs.writeFileSync(path.join(this.modelFolder, 'script.json'), JSON.stringify({ tool, input }));
  }

  /** Everything the model was sent so far. */
  requests(): ScriptedModelRequest[] {
    const file = path.join(this.modelFolder, 'requests.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ScriptedModelRequest);
  }

  private get inputPart(): Locator {
    return this.page.locator('.interactive-input-part').filter({ visible: true }).first();
  }

  /** The Chat view is open (1.139 opens it in the secondary side bar), in Agent mode, with the scripted model. */
  async ready(): Promise<void> {
    if (!(await this.inputPart.isVisible().catch(() => false))) await this.host.runPaletteCommand('Chat: Open Chat');
    await waitFor('the chat input with the scripted model in Agent mode', async () => {
      const text = (await this.inputPart.textContent().catch(() => '')) ?? '';
      return /Scripted Model/.test(text) && /Agent/.test(text);
    }, 90_000, 300);
  }

  /** A new, empty chat (the "New Chat" action of the Chat view). */
  async newChat(): Promise<void> {
    await this.page.locator('.part.auxiliarybar .action-label[aria-label^="New Chat"]').filter({ visible: true }).first().click();
    await waitFor('an empty chat', async () => (await this.page.locator('.interactive-session .interactive-request').filter({ visible: true }).count()) === 0, 10_000);
  }

  /** Types `text` into the chat input as a person does (a `#tool` reference becomes a chip) and sends it. */
  async send(text: string): Promise<void> {
    const editor = this.inputPart.locator('.interactive-input-editor .monaco-editor').first();
    await editor.click();
    await this.page.keyboard.type(text, { delay: 5 });
    const reference = /#(\w+)\s*$/.exec(text)?.[1];
    if (reference) {
      // The completion list for the reference is open: close it, so that Enter sends rather than picks.
      await this.page.locator('.suggest-widget .monaco-list-row', { hasText: reference }).first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
      await this.page.keyboard.press('Escape');
    }
    await this.page.keyboard.press('Enter');
    log(`  chat: sent "${text}"`);
  }

  /** The newest response in the chat. */
  lastResponse(): Locator {
    return this.page.locator('.interactive-session .interactive-response').filter({ visible: true }).last();
  }

  /**
   * Waits until the newest response is complete and its text matches; returns that text. The chat keeps rendering an
   * answer word by word after the request ended, so the text must also have stopped changing.
   */
  async answer(pattern: RegExp, timeoutMs = 90_000): Promise<string> {
    let previous: string | undefined;
    return waitFor(`a chat answer matching ${pattern}`, async () => {
      const response = this.lastResponse();
      const text = ((await response.textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
      const loading = await response.evaluate((element: { classList: { contains(name: string): boolean } }) => element.classList.contains('chat-response-loading')).catch(() => true);
      const settled = !loading && pattern.test(text) && text === previous;
      previous = text;
      return settled ? text : undefined;
    }, timeoutMs, 600);
  }

  /**
   * The files the newest response shows as links a person can open (the chat turns a workspace path in an answer
   * into a file widget): their paths on disk.
   */
  async fileLinks(): Promise<string[]> {
    const hrefs: (string | null)[] = await this.lastResponse().locator('a.chat-inline-anchor-widget[data-href]').evaluateAll((anchors: { getAttribute(name: string): string | null }[]) => anchors.map((anchor) => anchor.getAttribute('data-href')));
    return hrefs.filter((href): href is string => Boolean(href)).map((href) => decodeURIComponent(new URL(href).pathname));
  }

  /** How the newest response's last tool line ended: 'running' (spinner), 'done' (check) or 'stopped' (error mark). */
  async toolLineState(): Promise<'running' | 'done' | 'stopped' | 'none'> {
    const line = this.lastResponse().locator('.chat-tool-invocation-part .chat-confirmation-widget-title .codicon').first();
    const classes = (await line.getAttribute('class', { timeout: 2000 }).catch(() => null)) ?? '';
    if (/codicon-loading/.test(classes)) return 'running';
    if (/codicon-error|codicon-close/.test(classes)) return 'stopped';
    if (/codicon-check/.test(classes)) return 'done';
    return 'none';
  }

  /** The tool's confirmation inside the chat (not the hidden copy VS Code keeps for its carousel). */
  confirmation(): Locator {
    return this.page.locator('.interactive-session .chat-confirmation-widget-container').filter({ visible: true }).last();
  }

  async readConfirmation(timeoutMs = 60_000): Promise<{ title: string; message: string; buttons: string[] }> {
    const widget = this.confirmation();
    await widget.waitFor({ state: 'visible', timeout: timeoutMs });
    const clean = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ').trim();
    const title = clean(await widget.locator('.chat-confirmation-widget-title').first().textContent());
    const message = clean(await widget.locator('.chat-confirmation-widget-message .chat-markdown-part').first().innerText());
    const buttons = (await widget.locator('.chat-confirmation-widget-buttons .monaco-text-button').filter({ visible: true }).allTextContents()).map(clean);
    return { title, message, buttons };
  }

  /**
   * Allows this one run (the confirmation's "Allow" menu: "Allow Once", never the session-wide choice, so that every
   * paid job is asked for again).
   */
  async allowOnce(): Promise<void> {
    const widget = this.confirmation();
    const primary = widget.locator('.chat-confirmation-widget-buttons .monaco-text-button').filter({ visible: true }).first();
    if (/^(Allow|Allow Once|Continue)$/.test(((await primary.textContent()) ?? '').trim())) {
      await primary.click();
    } else {
      // "Allow Once" is in the primary button's menu; a click that lands while the menu opens is ignored: again.
      const item = this.page.getByRole('menuitem', { name: 'Allow Once' });
      await waitFor('"Allow Once" chosen', async () => {
        if (!(await this.confirmationShown())) return true;
        if (!(await item.isVisible())) await widget.locator('.chat-confirmation-widget-buttons .monaco-dropdown-button').filter({ visible: true }).first().click();
        await item.waitFor({ state: 'visible', timeout: 3000 });
        await sleep(250);
        await item.click({ timeout: 3000 }).catch(() => undefined);
        await sleep(500);
        return !(await this.confirmationShown());
      }, 20_000, 100);
    }
    await this.answered();
  }

  /** Declines: the tool does not run. */
  async skip(): Promise<void> {
    await this.confirmation().locator('.chat-confirmation-widget-buttons .monaco-text-button', { hasText: /^Skip$/ }).filter({ visible: true }).first().click();
    await this.answered();
  }

  private async answered(): Promise<void> {
    await waitFor('the confirmation answered', async () => !(await this.confirmationShown()), 10_000);
  }

  /** Whether a confirmation waits for an answer (its buttons show). */
  async confirmationShown(): Promise<boolean> {
    return (await this.page.locator('.interactive-session .chat-confirmation-widget-buttons').filter({ visible: true }).count()) > 0;
  }

  /** The chat's stop button (the input's "Cancel" while a request runs). */
  async stop(): Promise<void> {
    const button = this.inputPart.locator(STOP_BUTTON).filter({ visible: true }).first();
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    await button.click();
  }

  /** Whether a request is still running (its stop button shows). */
  async running(): Promise<boolean> {
    return (await this.inputPart.locator(STOP_BUTTON).filter({ visible: true }).count()) > 0;
  }

  /** Closes what 1.139 puts over the chat input on its own ("Set BYOK utility models"). */
  async dismissNotices(): Promise<void> {
    const close = this.page.locator('.chat-input-notice-dismiss').filter({ visible: true });
    for (let i = 0; i < 3 && (await close.count()) > 0; i++) {
      await close.first().click().catch(() => undefined);
      await sleep(200);
    }
  }
}
