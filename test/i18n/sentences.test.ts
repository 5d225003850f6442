/**
 * Nothing a person reads is written outside the message catalogues: every
 * string literal (and the fixed text of every template) in the service, the
 * report's renderers and the adapters — the queue page's script included —
 * that reads like words stands where no reader sees it (a log line, an error
 * thrown for operators, an import, a type, a field of an API answer), or is
 * listed below with the reason it is not for a reader.
 *
 * "Reads like words": two words of letters in a row, or any CJK character —
 * or, as the text of a card or a block (`title`, `label`, `text`,
 * `placeholder` …), any word at all (`label: 'Claim'`). A new sentence for
 * chat goes into src/i18n/locales/*.json and is written with
 * `voice.t('key', …)`; this test names the file and line of one that is not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { QUEUE_JS } from '../../adapters/http/queue-assets.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where sentences for readers are composed or rendered. */
const SCANNED = ['src/service', 'src/report/render.ts', 'src/report/statement-render.ts', 'adapters'];

/**
 * Files that speak only to operators and programs — the environment checks
 * and connection diagnostics an operator reads at start-up and in the log,
 * HTTP answers to webhooks and probes — never to a reader in chat.
 */
const OPERATOR_FILES: { pattern: RegExp; why: string }[] = [
  { pattern: /^adapters\/[^/]+\/env\.ts$/, why: 'environment checks, read by the operator at start-up' },
  { pattern: /^adapters\/[^/]+\/index\.ts$/, why: 'connectors: start-up and connection diagnostics for the log' },
  { pattern: /^adapters\/http\/(alertmanager|server|queue-auth)\.ts$/, why: 'answers to Alertmanager, probes and programs; a key label' },
  { pattern: /^adapters\/(lark\/(webhook|http)|slack\/(http-transport|staff))\.ts$/, why: 'why a platform request was refused or a lookup is unsure: for the log' },
];

/**
 * Strings elsewhere that read like words but no person reads as a sentence —
 * each with why. Matched on the file and the literal's text.
 */
const TECHNICAL: { file: string; text: string; why: string }[] = [
  { file: 'src/service/cards.ts', text: 'key  ', why: "a ping's key under its card, which the platforms' resend checks look for: never translated" },
  { file: 'src/service/outbound.ts', text: 'key  ', why: "a delivery's key under its card (a webhook's text, an e-mail's last line): never translated" },
  { file: 'adapters/slack/render.ts', text: 'slawatch', why: "the product's name, App Home's header" },
  { file: 'src/service/statement-cards.ts', text: 'slawatch availability --month  ', why: 'a command line, the same in every language' },
  { file: 'adapters/discord/commands.ts', text: 'Open ticket', why: "the message command's name Discord knows it by; its translations are name_localizations" },
  { file: 'adapters/http/queue-page.ts', text: 'too large', why: 'the body of an HTTP 413 to a sign-in form post' },
  { file: 'adapters/http/queue-assets.ts#QUEUE_JS', text: 'use strict', why: 'a directive' },
  { file: 'adapters/http/queue-assets.ts#QUEUE_JS', text: 'noopener noreferrer', why: "a link's rel attribute" },
  { file: 'adapters/http/queue-assets.ts#QUEUE_JS', text: 'sev sev-', why: 'CSS classes' },
  { file: 'adapters/http/queue-assets.ts#QUEUE_JS', text: 'assignee none', why: 'CSS classes' },
];

const WORDS = /[A-Za-z]{2,}\s+[A-Za-z]{2,}/;
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
/** Markup (`<th scope="col">`) is not words; what is written between the tags is. */
const readsLikeWords = (text: string): boolean => {
  const bare = text.replace(/<[^>]*>/g, ' ');
  return WORDS.test(bare) || CJK.test(bare);
};

/** Where a single word is text for a reader: a card's or a block's words. */
const READER_FIELDS = new Set(['title', 'label', 'text', 'body', 'footer', 'quote', 'placeholder', 'content', 'description', 'value']);
const A_WORD = /[A-Za-z]{2,}|[\u3400-\u9fff]/;

/** Fields of log records, API answers and HTTP headers (`'www-authenticate'`): data for programs and operators. */
const DATA_FIELDS = new Set(['error', 'status', 'reason', 'disabled']);

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (path.endsWith('.ts')) return [path];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(path, entry.name)) : entry.name.endsWith('.ts') ? [join(path, entry.name)] : []));
}

const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Whether a literal stands where no reader sees it: a log call, an error for operators, an import, a type, a key. */
function technicalPlace(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isImportDeclaration(at) || ts.isExportDeclaration(at) || ts.isLiteralTypeNode(at) || ts.isImportTypeNode(at)) return true;
    if (ts.isCallExpression(at) && ts.isPropertyAccessExpression(at.expression)) {
      const target = at.expression.expression.getText();
      if (LOG_METHODS.has(at.expression.name.text) && /(^|\.)(log|logger)$/i.test(target)) return true;
    }
    if (ts.isCallExpression(at) && /(^|\.)onError\??\.?$/.test(at.expression.getText())) return true;
    if (ts.isNewExpression(at) && /(Error|Rejected)$/.test(at.expression.getText())) return true;
    if (ts.isPropertyAssignment(at) && (ts.isIdentifier(at.name) || ts.isStringLiteral(at.name)) && (DATA_FIELDS.has(at.name.text) || at.name.text.includes('-'))) return true;
    if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name) && DATA_FIELDS.has(at.name.text)) return true;
    if (ts.isThrowStatement(at)) return true;
    if (ts.isFunctionLike(at) || ts.isSourceFile(at)) return false;
  }
  return false;
}

interface Loose {
  where: string;
  text: string;
}

function looseSentences(file: string, source: string): Loose[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: Loose[] = [];
  const visit = (node: ts.Node) => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
    // A property name is a key, not text.
    const isKey = node.parent && (ts.isPropertyAssignment(node.parent) || ts.isPropertyDeclaration(node.parent)) && node.parent.name === node;
    const field = node.parent && ts.isPropertyAssignment(node.parent) && node.parent.initializer === node && ts.isIdentifier(node.parent.name) ? node.parent.name.text : undefined;
    const words = text !== undefined && (readsLikeWords(text) || (field !== undefined && READER_FIELDS.has(field) && A_WORD.test(text.replace(/<[^>]*>/g, ' '))));
    if (text !== undefined && !isKey && words && !technicalPlace(node)) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push({ where: `${file}:${line + 1}`, text });
    }
    // A template's spans are visited as part of it.
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    else node.templateSpans.forEach((span) => ts.forEachChild(span.expression, visit));
  };
  visit(sf);
  return found;
}

describe('sentences for readers come from the message catalogues', () => {
  it('the check finds a sentence built in code, and lets logs, errors and keys be', () => {
    const source = [
      "const card = { title: `Ticket ${id} opened for ${name}`, fields: [{ label: 'First response due', value }] };",
      "refuse('Sorry — only the support team can do that.');",
      "const line = voice.t('ack.title', { ticket });",
      "ctx.log.warn({ channel }, 'could not post the acknowledgement');",
      "throw new Error('the ticket store is not open');",
      "const headers = { 'www-authenticate': 'Bearer realm=\"x y\"' };",
      "say('工单已创建');",
      "const button = { type: 'button', text: { type: 'plain_text', text: 'Claim' }, action_id: 'slawatch_claim' };",
    ].join('\n');
    expect(looseSentences('example.ts', source).map((f) => f.text)).toEqual(['Ticket   opened for  ', 'First response due', 'Sorry — only the support team can do that.', '工单已创建', 'Claim']);
  });

  it('no string in the service, the report renderers or the adapters reads like words outside the catalogue', () => {
    const loose: Loose[] = [];
    for (const file of SCANNED.flatMap(files)) {
      const rel = relative(ROOT, join(ROOT, file));
      if (OPERATOR_FILES.some((o) => o.pattern.test(rel))) continue;
      for (const found of looseSentences(rel, readFileSync(join(ROOT, file), 'utf8'))) {
        if (file.endsWith('queue-assets.ts') && (found.text.startsWith("'use strict'") || found.text.includes(':root {'))) continue; // the page's script and style: scanned below as code
        if (!TECHNICAL.some((t) => t.file === rel && t.text === found.text)) loose.push(found);
      }
    }
    expect(loose).toEqual([]);
  });

  it("nor in the queue page's script", () => {
    const loose = looseSentences('adapters/http/queue-assets.ts#QUEUE_JS', QUEUE_JS).filter((f) => !TECHNICAL.some((t) => t.file === 'adapters/http/queue-assets.ts#QUEUE_JS' && t.text === f.text));
    expect(loose).toEqual([]);
  });
});
