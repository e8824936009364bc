// @ts-check
/**
 * ESLint rule `multiview/no-import-cycles`: no two files under one folder (src/) may reach each other through
 * their imports, counting `import type` too.
 *
 * Why not import-x/no-cycle alone: it skips type-only imports by design (they vanish at run time), but a file that
 * imports a type from the file that imports it is still two files that cannot be understood, moved or split apart
 * (the architecture issue's jobRunner.ts <-> pendingJobs.ts and presets.ts <-> types.ts are such pairs). This rule
 * reports every import that closes a cycle, type-only or not, with the way back.
 *
 * The graph is read from disk with TypeScript's preProcessFile (the imports only, no type checking), except the
 * file being linted, whose current text is used (an editor's unsaved changes count). Files are re-read only when
 * their modification time changes, so the rule stays cheap in a long-running ESLint server.
 * Only relative imports are followed; packages are leaves. Computed paths (require(path.join(...))) are invisible.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.mts', '.cts'];

/** @type {Map<string, { mtimeMs: number, imports: string[] }>} */
const importsOnDisk = new Map();

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (EXTENSIONS.some((ext) => entry.name.endsWith(ext))) out.push(full);
  }
  return out;
}

/** The file a relative specifier names, or undefined (a package, or nothing there). @param {string} from @param {string} specifier */
function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const withoutJs = base.replace(/\.(c|m)?js$/, '');
  const candidates = [base, ...EXTENSIONS.map((ext) => withoutJs + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/** @param {string} file @param {string} text @returns {string[]} */
function importsOf(file, text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName }) => resolveRelative(file, fileName)).filter((target) => target !== undefined);
}

/** @param {string} file */
function importsFromDisk(file) {
  const { mtimeMs } = statSync(file);
  const cached = importsOnDisk.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.imports;
  const imports = importsOf(file, readFileSync(file, 'utf8'));
  importsOnDisk.set(file, { mtimeMs, imports });
  return imports;
}

/**
 * The shortest import path from `start` back to `goal` inside `root` (both files included), or undefined.
 * @param {string} start @param {string} goal @param {string} root @param {(file: string) => string[]} importsFor
 */
function pathBack(start, goal, root, importsFor) {
  /** @type {Map<string, string | undefined>} */
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const file = /** @type {string} */ (queue.shift());
    for (const next of importsFor(file)) {
      if (!next.startsWith(root + path.sep) || cameFrom.has(next)) continue;
      cameFrom.set(next, file);
      if (next === goal) {
        const route = [goal];
        for (let step = cameFrom.get(goal); step !== undefined; step = cameFrom.get(step)) route.unshift(step);
        return route;
      }
      queue.push(next);
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noImportCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles between the files of a folder, type-only imports included' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, required: ['root'], additionalProperties: false }],
    messages: {
      cycle: 'Import cycle: {{route}}. Move what both files need into a module that both import (a type-only import counts: the files still cannot be separated).',
    },
  },
  create(context) {
    const root = path.resolve(context.options[0].root);
    const file = context.physicalFilename;
    if (!file.startsWith(root + path.sep)) return {};
    // The linted file as it is now; every other file as it is on disk.
    const ownImports = importsOf(file, context.sourceCode.text);
    const importsFor = (/** @type {string} */ other) => (other === file ? ownImports : safeImportsFromDisk(other));
    const known = new Set(sourceFiles(root));
    const safeImportsFromDisk = (/** @type {string} */ other) => (known.has(other) ? importsFromDisk(other) : []);
    const relative = (/** @type {string} */ p) => path.relative(path.dirname(root), p).split(path.sep).join('/');

    /** @param {import('estree').Node} node @param {unknown} specifier */
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const target = resolveRelative(file, specifier);
      if (!target || target === file || !target.startsWith(root + path.sep)) return;
      const back = pathBack(target, file, root, importsFor);
      if (back) context.report({ node, messageId: 'cycle', data: { route: [file, ...back].map(relative).join(' -> ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      /** @param {any} node TSImportEqualsDeclaration (`import x = require('./y')`), not in ESTree's types */
      TSImportEqualsDeclaration: (node) => node.moduleReference?.type === 'TSExternalModuleReference' && check(node, node.moduleReference.expression.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal' && check(node, node.arguments[0].value),
    };
  },
};
