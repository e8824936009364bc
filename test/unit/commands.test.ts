/** The one registry of command ids (src/commands.ts) against the manifest, which the activation shim registers from. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../src/commands';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command?: string }[]> };
  contributes_walkthroughs?: unknown;
};

test('the registry and the manifest declare the same commands, each once', () => {
  const declared = manifest.contributes.commands.map(({ command }) => command);
  assert.equal(new Set(declared).size, declared.length, 'a command is declared twice in package.json');
  assert.deepEqual([...declared].sort(), Object.values(COMMANDS).sort());
});

test('every menu item and walkthrough step names a declared command', () => {
  const declared = new Set<string>(Object.values(COMMANDS));
  const inMenus = Object.values(manifest.contributes.menus).flatMap((items) => items.flatMap((item) => (item.command ? [item.command] : [])));
  const text = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  const inEvents = [...text.matchAll(/"onCommand:([^"]+)"/g)].map((match) => match[1]);
  const inWelcome = [...fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8').matchAll(/command:(multiview\.[A-Za-z.]+)/g)].map((match) => match[1]);
  assert.deepEqual([...inMenus, ...inEvents, ...inWelcome].filter((command) => !declared.has(command)), []);
});
