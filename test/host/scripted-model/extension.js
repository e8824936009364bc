'use strict';
/** Test-only scripted language model: see README.md. Plain JS, no dependencies. */
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const VENDOR = 'multiview-scripted';
const MODEL = {
  id: 'scripted',
  name: 'Scripted Model',
  family: 'scripted',
  version: '1.0.0',
  maxInputTokens: 128000,
  maxOutputTokens: 8192,
  tooltip: 'Test-only model whose answers the test scripts',
  capabilities: { toolCalling: true, imageInput: true },
};

/** A message part as plain JSON (the classes are told apart by shape: they come from another module instance). */
function describePart(part) {
  if (part instanceof vscode.LanguageModelTextPart) return { type: 'text', value: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart) return { type: 'toolCall', callId: part.callId, name: part.name, input: part.input };
  if (part instanceof vscode.LanguageModelToolResultPart) return { type: 'toolResult', callId: part.callId, content: part.content.map(describePart) };
  if (vscode.LanguageModelDataPart && part instanceof vscode.LanguageModelDataPart) {
    const isText = /^text\/|json/.test(part.mimeType);
    return { type: 'data', mimeType: part.mimeType, bytes: part.data.byteLength, ...(isText ? { value: Buffer.from(part.data).toString('utf8') } : {}) };
  }
  if (part && typeof part === 'object' && 'value' in part && typeof part.value === 'string') return { type: 'text', value: part.value };
  return { type: 'other', value: JSON.stringify(part)?.slice(0, 2000) };
}

const roleName = (role) => ({ 1: 'user', 2: 'assistant', 3: 'system' })[role] ?? String(role);

function activate(context) {
  const folder = context.globalStorageUri.fsPath;
  fs.mkdirSync(folder, { recursive: true });
  const scriptFile = path.join(folder, 'script.json');
  const logFile = path.join(folder, 'requests.jsonl');
  const changed = new vscode.EventEmitter();
  let calls = 0;

  const provider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () => [MODEL],
    provideTokenCount: (_model, text) => Math.ceil((typeof text === 'string' ? text : JSON.stringify(text.content ?? '')).length / 4),
    async provideLanguageModelChatResponse(_model, messages, options, progress) {
      const described = messages.map((message) => ({ role: roleName(message.role), parts: message.content.map(describePart) }));
      const offered = (options.tools ?? []).map((tool) => tool.name);
      fs.appendFileSync(logFile, `${JSON.stringify({ at: Date.now(), messages: described, tools: offered })}\n`);
      const script = fs.existsSync(scriptFile) ? JSON.parse(fs.readFileSync(scriptFile, 'utf8')) : {};
      const last = described[described.length - 1];
      const results = last ? last.parts.filter((part) => part.type === 'toolResult') : [];
      if (results.length > 0) {
        const lines = results.flatMap((result) =>
          result.content.map((part) => (part.type === 'text' ? part.value : part.type === 'data' ? `[${part.mimeType}, ${part.bytes} bytes]` : `[${part.type}]`)),
        );
        progress.report(new vscode.LanguageModelTextPart(`Scripted answer:\n\n${lines.join('\n\n')}`));
        return;
      }
      if (script.tool && offered.includes(script.tool) && last && last.role === 'user') {
        calls += 1;
        progress.report(new vscode.LanguageModelToolCallPart(`scripted-call-${calls}`, script.tool, script.input ?? {}));
        return;
      }
      progress.report(new vscode.LanguageModelTextPart(script.text ?? 'Scripted model: nothing to do.'));
    },
  };

  context.subscriptions.push(changed, vscode.lm.registerLanguageModelChatProvider(VENDOR, provider));
  // The workbench asks a vendor for its models lazily: nudge it, or the picker offers only "Sign in".
  const nudge = setTimeout(() => {
    changed.fire();
    void vscode.lm.selectChatModels({ vendor: VENDOR }).then(undefined, () => undefined);
  }, 500);
  context.subscriptions.push({ dispose: () => clearTimeout(nudge) });
}

module.exports = { activate, deactivate() {} };
