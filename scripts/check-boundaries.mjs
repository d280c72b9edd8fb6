#!/usr/bin/env node
// Enforces the layering: src/core is sans-IO (no Node modules, no clock, timers, randomness or
// process), src/app does not draw on the terminal or open sockets itself, src/io stays free of
// terminal UI. Usage: node scripts/check-boundaries.mjs [ROOT]  (ROOT defaults to the repo).
// Prints file:line: reason for each violation and exits 1 if there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = ['commander', 'ora', 'cli-progress'];
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

const RULES = [
  {
    dir: 'src/core',
    banImport: (spec) => spec.startsWith('node:') || isBuiltin(spec) || isPackage(spec, UI),
    banIdents: ['Date', 'setTimeout', 'setInterval', 'setImmediate', 'performance', 'Math.random', 'Buffer', 'process'],
  },
  { dir: 'src/app', banImport: (spec) => isPackage(spec, UI) || spec === 'node:dgram' || spec === 'dgram', banIdents: [] },
  { dir: 'src/io', banImport: (spec) => isPackage(spec, UI), banIdents: [] },
];

function isBuiltin(spec) {
  return BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
}

function isPackage(spec, names) {
  return names.some((n) => spec === n || spec.startsWith(`${n}/`));
}

/**
 * Blanks comments (and, with blankStrings, string and template text) while keeping every
 * newline, so offsets still map to the right line. Template `${...}` bodies stay code.
 */
export function blank(src, blankStrings) {
  const out = src.split('');
  const keep = (i) => (out[i] === '\n' ? '\n' : ' ');
  const braces = []; // brace depth at each open `${`
  let depth = 0;
  let i = 0;
  let prev = ''; // last significant code character, to tell a regex from a division
  const scanQuoted = (q, blankIt) => {
    i++;
    while (i < src.length && src[i] !== q) {
      if (src[i] === '\\') {
        if (blankIt) {
          out[i] = keep(i);
          if (i + 1 < src.length) out[i + 1] = keep(i + 1);
        }
        i += 2;
        continue;
      }
      if (q === '`' && src[i] === '$' && src[i + 1] === '{') {
        braces.push(depth);
        i += 2;
        return;
      }
      // An unterminated quote ends at the line break rather than swallowing the file.
      if (q !== '`' && src[i] === '\n') return;
      if (blankIt) out[i] = keep(i);
      i++;
    }
    i++;
  };
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') out[i++] = ' ';
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (; i < stop; i++) out[i] = keep(i);
    } else if (c === '"' || c === "'" || c === '`') {
      scanQuoted(c, blankStrings);
      prev = 'a';
    } else if (c === '}' && braces.length > 0 && braces[braces.length - 1] === depth) {
      braces.pop();
      // The brace closes a template's ${...}: the template text resumes after it.
      scanQuoted('`', blankStrings);
      prev = 'a';
    } else if (c === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev))) {
      // A regex literal: skip it whole so quotes or slashes inside do not derail the scan.
      i++;
      let inClass = false;
      const start = i;
      while (i < src.length && src[i] !== '\n' && (inClass || src[i] !== '/')) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        i++;
      }
      if (blankStrings) for (let k = start; k < i && k < src.length; k++) out[k] = keep(k);
      i++;
      prev = 'a';
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (!/\s/.test(c)) prev = c;
      i++;
    }
  }
  return out.join('');
}

const IMPORT_RES = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function lineOf(text, index) {
  let line = 1;
  for (let k = 0; k < index; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

export function checkFile(path, text, rule) {
  const problems = [];
  const code = blank(text, false);
  for (const re of IMPORT_RES) {
    for (const m of code.matchAll(re)) {
      if (rule.banImport(m[1])) problems.push({ line: lineOf(code, m.index), reason: `imports '${m[1]}'` });
    }
  }
  const bare = blank(text, true);
  for (const ident of rule.banIdents) {
    const re = new RegExp(`(?<![\\w$.])${ident.replace('.', '\\s*\\.\\s*')}(?![\\w$])`, 'g');
    for (const m of bare.matchAll(re)) problems.push({ line: lineOf(bare, m.index), reason: `uses '${ident}'` });
  }
  return problems.sort((a, b) => a.line - b.line).map((p) => ({ path, ...p }));
}

function walk(dir, files = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, files);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
  }
  return files;
}

export function checkTree(root) {
  const problems = [];
  for (const rule of RULES) {
    for (const file of walk(join(root, rule.dir))) {
      problems.push(...checkFile(relative(root, file), readFileSync(file, 'utf8'), rule));
    }
  }
  return problems;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'));
  const problems = checkTree(root);
  for (const p of problems) console.error(`${p.path}:${p.line}: ${p.reason}`);
  if (problems.length > 0) {
    console.error(`check-boundaries: ${problems.length} violation(s)`);
    process.exit(1);
  }
  console.log('check-boundaries: ok');
}
