import fs from 'node:fs';
import path from 'node:path';
import { CLAIM_ACTIVITY_KEYS, type CreditCodeCheck, type IdNumberCheck } from '@opencme/core';
import { describeStatus, SAM_STATUS_CODES } from '@opencme/reader-webhid';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { en } from './en.ts';
import { zh } from './zh.ts';

const ROOT = path.resolve(import.meta.dirname, '../../../../..');
const KEY = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
/** Calls whose arguments are messages: errors, refusals, and zod's checks with a message. */
const MESSAGE_CALLS = new Set([
  'UserFacingError',
  'UidFormatError',
  'ReaderError',
  'Refusal',
  'refuse',
  'reply',
  'min',
  'max',
  'length',
  'regex',
  'refine',
  'date',
  'addIssue',
  'readerError',
  'badPacket',
  'badLayout',
  'badText',
  'withHint',
]);
const MESSAGE_PROPERTIES = new Set(['messageKey', 'key', 'message']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'simulators' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const calleeName = (node: ts.CallExpression | ts.NewExpression) => {
  const callee = node.expression;
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
};

/**
 * The message keys a program's source can send to the page: literal keys in message positions,
 * and the fixed part of keys built from a code (`id-number.${reason}` gives 'id-number.').
 */
function keysIn(file: string): { keys: string[]; prefixes: string[] } {
  const keys: string[] = [];
  const prefixes: string[] = [];
  const collect = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) && KEY.test(node.text)) keys.push(node.text);
    else if (ts.isTemplateExpression(node) && /^[a-z0-9-]+\.[a-z0-9.-]*$/.test(node.head.text)) prefixes.push(node.head.text);
    else node.forEachChild(collect);
  };
  const visit = (node: ts.Node) => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && MESSAGE_CALLS.has(calleeName(node))) node.arguments?.forEach(collect);
    else if (ts.isPropertyAssignment(node) && MESSAGE_PROPERTIES.has(node.name.getText())) collect(node.initializer);
    node.forEachChild(visit);
  };
  visit(ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  return { keys, prefixes };
}

const sent = ['apps/server/src', 'packages/core/src', 'packages/reader-webhid/src'].flatMap((dir) =>
  sources(path.join(ROOT, dir)).map((file) => ({ file: path.relative(ROOT, file), ...keysIn(file) })),
);

it('has an English text for every Chinese one, and no English text without a Chinese one', () => {
  const zhKeys = Object.keys(zh).sort();
  expect(Object.keys(en).sort()).toEqual(zhKeys);
  expect(zhKeys.filter((key) => !en[key as keyof typeof en]?.trim() || !zh[key as keyof typeof zh]?.trim())).toEqual([]);
});

it('has the same placeholders in both languages', () => {
  const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const differ = Object.keys(zh).filter((key) => names(zh[key as keyof typeof zh]).join() !== names(en[key as keyof typeof en]).join());
  expect(differ).toEqual([]);
});

it('has words for every message key the server, core and the reader send', () => {
  const keys = sent.flatMap((s) => s.keys.map((key) => ({ key, file: s.file })));
  // The scan finds the server's errors: a scan that found none would prove nothing.
  expect(keys.filter((k) => k.file.startsWith('apps/server')).length).toBeGreaterThan(100);
  expect(keys.filter((k) => k.file.startsWith('packages/reader-webhid')).length).toBeGreaterThan(30);
  // A key may name a family the code picks from (the rate limits' 'rate-limit.lookups' → '….seconds', '….minutes').
  const worded = (key: string) => Object.hasOwn(zh, key) || Object.keys(zh).some((known) => known.startsWith(`${key}.`));
  expect(keys.filter((k) => !worded(k.key)).map((k) => `${k.file}: ${k.key}`)).toEqual([]);
  const prefixes = sent.flatMap((s) => s.prefixes.map((prefix) => ({ prefix, file: s.file })));
  expect(prefixes.filter((p) => !Object.keys(zh).some((key) => key.startsWith(p.prefix))).map((p) => `${p.file}: ${p.prefix}…`)).toEqual([]);
});

it('has words for every reason core gives for a refused ID number or credit code', () => {
  // The records' types list every reason: a new reason in core fails the typecheck here first.
  const idNumber: Record<Extract<IdNumberCheck, { valid: false }>['reason'], true> = {
    length: true,
    characters: true,
    region: true,
    'birth-date': true,
    'check-digit': true,
  };
  const creditCode: Record<Extract<CreditCodeCheck, { valid: false }>['reason'], true> = { length: true, characters: true, 'check-character': true };
  const keys = [...Object.keys(idNumber).map((r) => `id-number.${r}`), ...Object.keys(creditCode).map((r) => `credit-code.${r}`)];
  expect(keys.filter((key) => !Object.hasOwn(zh, key))).toEqual([]);
});

it('words every SAM status the reader names', () => {
  const keys = SAM_STATUS_CODES.map((sw3) => describeStatus(sw3).key);
  expect(keys.filter((key) => !Object.hasOwn(zh, key))).toEqual([]);
});

it('names every claim activity core lists', () => {
  expect(CLAIM_ACTIVITY_KEYS.map((key) => `claim-activity.${key}`).filter((key) => !Object.hasOwn(zh, key))).toEqual([]);
});

it('keeps English out of the Chinese catalogue', () => {
  // A sentence of Latin words in zh.ts is an untranslated text (codes such as PIN, JPEG, xlsx are fine).
  const english = Object.entries(zh).filter(([, text]) => /[A-Za-z]{3,}( [A-Za-z]{2,}){2,}/.test(text) && !/\p{Script=Han}/u.test(text));
  expect(english.map(([key]) => key)).toEqual([]);
});
