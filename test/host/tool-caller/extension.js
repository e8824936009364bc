'use strict';
/**
 * Test-only: calls a language-model tool the way a chat agent does (vscode.lm.invokeTool, no chat request) and writes
 * the answer where the test reads it. See README.md.
 */
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

/** Writes whole or not at all: a reader never sees half a file. */
function writeJson(file, value) {
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, JSON.stringify(value, null, 2));
  fs.renameSync(partial, file);
}

function activate(context) {
  let running;
  context.subscriptions.push(
    vscode.commands.registerCommand('toolCaller.invoke', async () => {
      const root = vscode.workspace.workspaceFolders[0].uri.fsPath;
      const request = JSON.parse(fs.readFileSync(path.join(root, 'tool-request.json'), 'utf8'));
      const responseFile = path.join(root, 'tool-response.json');
      fs.rmSync(responseFile, { force: true });
      running = new vscode.CancellationTokenSource();
      const started = Date.now();
      try {
        const result = await vscode.lm.invokeTool(request.name, { input: request.input, toolInvocationToken: undefined }, running.token);
        const texts = result.content.filter((part) => part instanceof vscode.LanguageModelTextPart).map((part) => part.value);
        writeJson(responseFile, { ok: true, texts, ms: Date.now() - started });
      } catch (error) {
        writeJson(responseFile, { ok: false, error: { name: error && error.name, message: error && error.message }, ms: Date.now() - started });
      } finally {
        running.dispose();
        running = undefined;
      }
    }),
    vscode.commands.registerCommand('toolCaller.cancel', () => running && running.cancel()),
  );
}

module.exports = { activate, deactivate() {} };
