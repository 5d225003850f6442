/**
 * The queue page itself: static HTML, CSS and one small script, no framework
 * and no chart library. Kept in a module (not files next to it) so the
 * compiled `dist/` serves them without a copy step.
 *
 * The script talks only to /api/queue, /api/queue/events, /api/compliance and
 * /api/availability (open incidents and the month so far, every 30 s).
 * It renders every value with `textContent` / `setAttribute` (never
 * innerHTML), draws the charts as SVG built node by node, and counts down
 * each second from `dueAt` against the server's clock (`serverNow` of the
 * last snapshot or heartbeat, so a wrong clock in the browser does not
 * matter).
 *
 * Languages: the page's fixed words are filled in on the server in the
 * language the browser asks for (Accept-Language, or the switch's cookie);
 * what the script writes comes from the same catalogue's `page.*` messages,
 * formatted in the browser by intl-messageformat (the formatter
 * @formatjs/intl uses), with the browser's Intl for dates and units.
 *
 * Editing: the script is a `String.raw` template, so it must not contain a
 * backtick or a dollar-brace. test/adapters/http/queue-api.test.ts parses it.
 */
import { catalogue, DEFAULT_LOCALE, LOCALES, voiceIn } from '../../src/i18n/index.js';

/** The catalogue keys the page's script formats in the browser (its own, and the words it shares with chat). */
export function pageMessages(locale: string): Record<string, string> {
  const voice = voiceIn(locale);
  const { messages } = catalogue(voice.locale);
  const english = catalogue(DEFAULT_LOCALE).messages;
  const keys = Object.keys(english).filter((key) => key.startsWith('page.') || SHARED_KEYS.includes(key));
  return Object.fromEntries(keys.map((key) => [key, messages[key] ?? (english[key] as string)]));
}

const SHARED_KEYS = ['clock.name', 'severity.name', 'tier.name'];

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The page in one language: its fixed words filled in here, the messages its
 * script formats (with the library's message formatter, served beside it) in
 * a JSON block, and a switch to the other languages.
 */
export function queueHtml(locale: string): string {
  const voice = voiceIn(locale);
  const t = (key: Parameters<typeof voice.t>[0], values?: Parameters<typeof voice.t>[1]) => escapeHtml(voice.t(key, values));
  const column = (key: 'page.queue.column' | 'page.availability.column', name: string) => `<th scope="col">${t(key, { column: name })}</th>`;
  const options = LOCALES.map((l) => `<option value="${escapeHtml(l)}"${l === voice.locale ? ' selected' : ''}>${escapeHtml(languageName(l))}</option>`).join('');
  // In a <script> data block nothing may close the element: "<" is written as its JSON escape.
  const data = JSON.stringify({ locale: voice.locale, messages: pageMessages(voice.locale) }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${escapeHtml(voice.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('page.title')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/queue/app.css">
<script type="application/json" id="messages">${data}</script>
<script type="module" src="/queue/messageformat.js"></script>
<script src="/queue/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>slawatch <span>${t('page.heading')}</span></h1>
  <p id="status" class="status" role="status">${t('page.status.connecting')}</p>
  <label class="language">${t('page.language')} <select id="locale">${options}</select></label>
</header>
<noscript><p class="notice">${t('page.noscript')}</p></noscript>
<section id="signin" class="signin" hidden>
  <h2>${t('page.signin.title')}</h2>
  <p id="signin-message">${t('page.signin.message')}</p>
  <form method="post" action="/queue/session">
    <label for="token">${t('page.signin.token')}</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">${t('page.signin.button')}</button>
  </form>
</section>
<main id="app" hidden>
  <section class="panel oncall" aria-labelledby="oncall-title">
    <h2 id="oncall-title">${t('page.oncall.title')}</h2>
    <ul id="oncall"></ul>
  </section>
  <section class="panel incidents" id="incidents-panel" aria-labelledby="incidents-title" hidden>
    <h2 id="incidents-title">${t('page.incidents.title')}</h2>
    <ul id="incidents"></ul>
  </section>
  <section class="panel queue" aria-labelledby="queue-title">
    <h2 id="queue-title">${t('page.queue.title')} <span id="count" class="count"></span></h2>
    <table id="queue">
      <thead><tr>${['timeLeft', 'ticket', 'customer', 'tier', 'severity', 'state', 'assignee'].map((c) => column('page.queue.column', c)).join('')}</tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" class="empty" hidden>${t('page.queue.empty')}</p>
  </section>
  <section class="panel availability" aria-labelledby="availability-title">
    <h2 id="availability-title">${t('page.availability.title')} <span id="availability-month" class="count"></span></h2>
    <table id="availability">
      <thead><tr>${['customer', 'availability', 'target', 'downtime', 'degraded', 'incidents'].map((c) => column('page.availability.column', c)).join('')}</tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <div class="charts">
    <figure class="panel chart" id="compliance">
      <figcaption>${t('page.chart.compliance')}</figcaption>
      <div class="plot" id="compliance-chart"></div>
      <ul class="legend" id="compliance-legend"></ul>
    </figure>
    <figure class="panel chart" id="first-response">
      <figcaption>${t('page.chart.firstResponse')}</figcaption>
      <div class="plot" id="histogram-chart"></div>
      <ul class="legend" id="histogram-legend"></ul>
    </figure>
  </div>
  <p class="note" id="chart-note"></p>
</main>
</body>
</html>
`;
}

/** A language by its own name: `English`, `中文（中国）`. */
function languageName(locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}

/**
 * The module that lends the page's script ICU message formatting: the
 * message formatter @formatjs/intl itself formats with, made a global.
 */
export const MESSAGEFORMAT_SHIM = "import { IntlMessageFormat } from '/queue/intl-messageformat.js';\nglobalThis.IntlMessageFormat = IntlMessageFormat;\n";

export const QUEUE_CSS = String.raw`:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1f2933; --muted: #6b7280; --line: #e4e7eb;
  --red: #b91c1c; --red-bg: #fdecec; --amber: #b45309;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
.top { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: 10px 24px; background: #111827; color: #fff; }
.top h1 { font-size: 18px; margin: 0; font-weight: 650; letter-spacing: .01em; }
.top h1 span { color: #9ca3af; font-weight: 400; }
.status { margin: 0; font-size: 13px; padding: 2px 12px; border-radius: 999px; background: #374151; white-space: nowrap; }
.status.live::before { content: "● "; color: #34d399; }
.status.reconnecting { background: #92400e; }
.language { font-size: 13px; color: #9ca3af; white-space: nowrap; }
.language select { margin-left: 6px; font: inherit; }
.notice { margin: 24px; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 32px; }
.queue { overflow-x: auto; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 0 0 16px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.count { color: var(--muted); font-weight: 400; }
.oncall ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 40px; }
.oncall .schedule { font-weight: 600; margin-right: 8px; }
.oncall .who { font-weight: 600; }
.oncall .nobody { color: var(--red); font-weight: 600; }
.oncall .then { color: var(--muted); margin-left: 6px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:last-child td { border-bottom: 0; }
td.due { white-space: nowrap; width: 10.5em; }
.left { display: block; font-variant-numeric: tabular-nums; font-weight: 650; font-size: 15px; }
.clock { display: block; color: var(--muted); font-size: 12px; }
tr.overdue td { background: var(--red-bg); }
tr.overdue .left { color: var(--red); }
tr.soon .left { color: var(--amber); }
tr.paused .left { color: var(--muted); font-weight: 400; font-size: 14px; }
.ticket .ref { font-weight: 650; color: #1d4ed8; text-decoration: none; }
.ticket a.ref:hover { text-decoration: underline; }
.ticket span.ref { color: var(--ink); }
.title { display: block; color: var(--muted); max-width: 46ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sev { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.sev-urgent { background: #fde2e2; color: #9b1c1c; }
.sev-high { background: #ffedd5; color: #9a3412; }
.sev-normal { background: #e0ecff; color: #1e429f; }
.sev-low { background: #eef0f3; color: #4b5563; }
.assignee.none { color: var(--muted); font-style: italic; }
.empty { color: var(--muted); margin: 4px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr)); gap: 16px; margin-bottom: 10px; }
.chart { margin: 0; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.plot svg { display: block; width: 100%; height: auto; }
.plot .grid { stroke: var(--line); stroke-width: 1; }
.plot .axis { fill: var(--muted); font-size: 11px; }
.plot .nodata { fill: var(--muted); font-size: 13px; }
.plot .line { stroke-width: 2; fill: none; }
.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend .name { color: var(--ink); font-weight: 600; }
.note { color: var(--muted); font-size: 12px; margin: 0; }
.incidents ul { list-style: none; margin: 0; padding: 0; }
.incidents li { padding: 4px 0; }
.incidents .ref { font-weight: 650; margin-right: 8px; }
.incidents .name { font-weight: 600; margin-right: 8px; }
.incidents li.outage .name { color: var(--red); }
.incidents li.degraded .name { color: var(--amber); }
.incidents .then { color: var(--muted); }
.availability { overflow-x: auto; }
#availability td.figure { font-variant-numeric: tabular-nums; font-weight: 650; }
#availability tr.missed td.figure { color: var(--red); }
.signin { max-width: 420px; margin: 48px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; }
.signin label { display: block; font-weight: 600; margin: 12px 0 4px; }
.signin input { width: 100%; padding: 8px; font: inherit; border: 1px solid #cbd2d9; border-radius: 6px; }
.signin button { margin-top: 12px; padding: 8px 16px; font: inherit; font-weight: 600; color: #fff; background: #1d4ed8; border: 0; border-radius: 6px; cursor: pointer; }
`;

export const QUEUE_JS = String.raw`'use strict';
(function () {
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2'];
  var SOON_MS = 15 * 60 * 1000;
  /** No event (snapshot or heartbeat) for this long: the stream is dead even if the browser thinks not. */
  var STALE_MS = 45 * 1000;
  var MAX_RETRY_MS = 30 * 1000;

  var offsetMs = 0; // the server's clock minus the browser's
  var countdowns = []; // { row, left, dueAt }
  var source = null;
  var retryMs = 1000;
  var retryTimer = null;
  var lastEventAt = Date.now();
  var signedOut = false;

  function SignedOut() {}

  function $(id) { return document.getElementById(id); }

  // ---- the reader's language -----------------------------------------------------

  var I18N = JSON.parse($('messages').textContent);
  var LOCALE = I18N.locale;
  var compiled = {};

  /** A message of the catalogue, formatted (ICU: plurals and choices are the locale's). */
  function msg(key, values) {
    var text = I18N.messages[key];
    if (text === undefined) return key;
    if (typeof IntlMessageFormat === 'undefined') return text;
    try {
      if (!compiled[key]) compiled[key] = new IntlMessageFormat(text, LOCALE, undefined, { ignoreTag: true });
      return String(compiled[key].format(values || {}));
    } catch (err) {
      return text;
    }
  }

  function unit(value, name) {
    return new Intl.NumberFormat(LOCALE, { style: 'unit', unit: name, unitDisplay: 'narrow', useGrouping: false }).format(value);
  }

  function units(parts) {
    return new Intl.ListFormat(LOCALE, { type: 'unit', style: 'narrow' }).format(parts);
  }

  function names(list) {
    return list.length ? new Intl.ListFormat(LOCALE, { type: 'conjunction', style: 'narrow' }).format(list) : msg('page.nobody');
  }

  /** The switch: the choice is kept in a cookie the server reads, and the page comes back in that language. */
  function watchLanguage() {
    var select = $('locale');
    if (!select) return;
    select.addEventListener('change', function () {
      document.cookie = 'slawatch_locale=' + encodeURIComponent(select.value) + '; path=/queue; max-age=31536000; SameSite=Strict';
      location.reload();
    });
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) { el.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) el.textContent = String(text);
    return el;
  }

  function serverNow() { return Date.now() + offsetMs; }

  function syncClock(iso) {
    var t = Date.parse(iso);
    if (!isNaN(t)) offsetMs = t - Date.now();
    lastEventAt = Date.now();
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /** 3:07, 1:03:07, 2d 01:03:07 */
  function clockText(totalSeconds) {
    var d = Math.floor(totalSeconds / 86400);
    var h = Math.floor((totalSeconds % 86400) / 3600);
    var m = Math.floor((totalSeconds % 3600) / 60);
    var s = totalSeconds % 60;
    if (d > 0) return unit(d, 'day') + ' ' + pad(h) + ':' + pad(m) + ':' + pad(s);
    if (h > 0) return h + ':' + pad(m) + ':' + pad(s);
    return m + ':' + pad(s);
  }

  /** 45s, 12m, 1h 30m, 2d 4h (45秒, 12分钟, 1小时30分钟 …) */
  function durationText(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return unit(Math.round(seconds), 'second');
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return unit(minutes, 'minute');
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return units([unit(hours, 'hour')].concat(minutes % 60 ? [unit(minutes % 60, 'minute')] : []));
    return units([unit(Math.floor(hours / 24), 'day')].concat(hours % 24 ? [unit(hours % 24, 'hour')] : []));
  }

  function shortTime(iso) {
    return new Date(iso).toLocaleString(LOCALE, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  }

  /** A week's Monday as the chart's axis shows it: 9 Nov, 11月9日. */
  function weekLabel(iso, zone) {
    var at = new Date(iso);
    return msg('page.week', {
      day: at.toLocaleDateString(LOCALE, { day: 'numeric', timeZone: zone }),
      month: at.toLocaleDateString(LOCALE, { month: 'short', timeZone: zone }),
    });
  }

  /** A histogram bucket: < 5m, 5m–15m, ≥ 1d. */
  function bucketLabel(b) {
    if (b.toSeconds === null) return msg('page.bucket.atLeast', { from: durationText(b.fromSeconds) });
    if (!b.fromSeconds) return msg('page.bucket.below', { to: durationText(b.toSeconds) });
    return msg('page.bucket.range', { from: durationText(b.fromSeconds), to: durationText(b.toSeconds) });
  }

  /** Whom an incident affects: everyone, region eu, tier enterprise … */
  function reachText(reach) {
    if (reach === 'all') return msg('page.scope.everyone');
    var parts = [];
    (reach.regions || []).forEach(function (id) { parts.push(msg('page.scope.part', { kind: 'region', id: id })); });
    (reach.tiers || []).forEach(function (id) { parts.push(msg('page.scope.part', { kind: 'tier', id: id })); });
    (reach.customers || []).forEach(function (id) { parts.push(msg('page.scope.part', { kind: 'customer', id: id })); });
    return names(parts);
  }

  function setStatus(kind, text) {
    var el = $('status');
    el.className = 'status ' + kind;
    el.textContent = text;
  }

  function api(path) {
    return fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } }).then(function (res) {
      if (res.status === 401) throw new SignedOut();
      if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
      return res.json();
    });
  }

  function showSignIn() {
    signedOut = true;
    closeStream();
    $('app').hidden = true;
    $('signin').hidden = false;
    var params = new URLSearchParams(location.search);
    if (params.get('signin') === 'failed') {
      $('signin-message').textContent = msg('page.signin.failed');
      history.replaceState(null, '', location.pathname);
    }
    setStatus('signed-out', msg('page.status.signedOut'));
    $('token').focus();
  }

  // ---- the queue -----------------------------------------------------------

  function ticketLink(t) {
    // Only real web links become links; shell:/discord: references stay text.
    if (/^https:\/\//.test(t.link)) {
      var a = node('a', 'ref', t.ref);
      a.href = t.link;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.title = msg('page.openThread');
      return a;
    }
    var span = node('span', 'ref', t.ref);
    span.title = t.link;
    return span;
  }

  function severityCell(t) {
    var td = node('td', 'severity');
    var badge = node('span', 'sev sev-' + t.severity, msg('severity.name', { severity: t.severity }) + (t.severityGuessed ? '?' : ''));
    if (t.severityGuessed) badge.title = msg('page.guessed');
    td.appendChild(badge);
    return td;
  }

  function renderQueue(snapshot) {
    syncClock(snapshot.serverNow);
    signedOut = false;
    $('signin').hidden = true;
    $('app').hidden = false;
    var rows = [];
    countdowns = [];
    snapshot.tickets.forEach(function (t) {
      var tr = node('tr');
      tr.setAttribute('data-ticket-id', String(t.id));
      var due = node('td', 'due');
      var left = node('span', 'left');
      due.appendChild(left);
      if (t.dueAt) {
        var dueAt = Date.parse(t.dueAt);
        due.appendChild(node('span', 'clock', msg('clock.name', { clock: t.dueClock })));
        due.title = msg('page.due', { at: new Date(dueAt).toLocaleString(LOCALE) });
        countdowns.push({ row: tr, left: left, dueAt: dueAt });
      } else {
        left.textContent = t.state === 'waiting_on_customer' ? msg('page.paused') : msg('page.noDeadline');
        tr.classList.add('paused');
      }
      var ticket = node('td', 'ticket');
      ticket.appendChild(ticketLink(t));
      var title = node('span', 'title', t.title);
      title.title = t.title;
      ticket.appendChild(title);
      tr.appendChild(due);
      tr.appendChild(ticket);
      tr.appendChild(node('td', 'customer', t.customer));
      tr.appendChild(node('td', 'tier', msg('tier.name', { tier: t.tier })));
      tr.appendChild(severityCell(t));
      tr.appendChild(node('td', 'state', msg('page.state', { state: t.state })));
      tr.appendChild(node('td', t.assignee ? 'assignee' : 'assignee none', t.assignee || msg('page.unclaimed')));
      rows.push(tr);
    });
    var body = $('queue').tBodies[0];
    body.replaceChildren.apply(body, rows);
    $('queue').hidden = rows.length === 0;
    $('empty').hidden = rows.length > 0;
    $('count').textContent = '(' + rows.length + ')';
    renderOnCall(snapshot.onCall);
    setStatus('live', msg('page.status.live', { at: new Date().toLocaleTimeString(LOCALE) }));
    tick();
  }

  function renderOnCall(list) {
    var items = list.map(function (entry) {
      var li = node('li');
      li.setAttribute('data-schedule', entry.schedule);
      li.appendChild(node('span', 'schedule', entry.name));
      li.appendChild(node('span', entry.now.length ? 'who' : 'nobody', names(entry.now)));
      if (entry.until) li.appendChild(node('span', 'then', msg('page.oncall.until', { until: shortTime(entry.until), next: names(entry.next || []) })));
      return li;
    });
    if (items.length === 0) items.push(node('li', 'then', msg('page.oncall.none')));
    var ul = $('oncall');
    ul.replaceChildren.apply(ul, items);
  }

  function tick() {
    var now = serverNow();
    countdowns.forEach(function (c) {
      var ms = c.dueAt - now;
      var overdue = ms <= 0;
      c.left.textContent = overdue ? msg('page.overdue', { time: clockText(Math.floor(-ms / 1000)) }) : clockText(Math.ceil(ms / 1000));
      c.row.classList.toggle('overdue', overdue);
      c.row.classList.toggle('soon', !overdue && ms < SOON_MS);
    });
    if (source && Date.now() - lastEventAt > STALE_MS) {
      setStatus('reconnecting', msg('page.status.reconnecting'));
      closeStream();
      scheduleRecover(0);
    }
  }

  // ---- incidents and availability ---------------------------------------------

  function renderAvailability(data) {
    var incidents = data.incidents.map(function (i) {
      var li = node('li', i.impact);
      li.setAttribute('data-incident', i.id);
      li.appendChild(node('span', 'ref', i.id));
      li.appendChild(node('span', 'name', i.title));
      var about = msg('page.incident.about', { impact: i.impact, scope: reachText(i.reach), since: shortTime(i.since) });
      li.appendChild(node('span', 'then', about + (i.message ? ' · ' + i.message : '')));
      return li;
    });
    var list = $('incidents');
    list.replaceChildren.apply(list, incidents);
    $('incidents-panel').hidden = incidents.length === 0;
    $('availability-month').textContent = msg('page.availability.month', { month: data.month });
    var rows = data.customers.map(function (c) {
      var tr = node('tr', c.met === false ? 'missed' : '');
      tr.setAttribute('data-customer', c.id);
      tr.appendChild(node('td', 'customer', c.name));
      tr.appendChild(node('td', 'figure', c.availabilityText));
      tr.appendChild(node('td', 'target', c.target === null ? '—' : c.target + '%'));
      tr.appendChild(node('td', 'downtime', durationText(c.downtimeSeconds)));
      tr.appendChild(node('td', 'degraded', durationText(c.degradedSeconds)));
      tr.appendChild(node('td', 'incidents', c.incidents.length ? c.incidents.join(', ') : '—'));
      return tr;
    });
    var body = $('availability').tBodies[0];
    body.replaceChildren.apply(body, rows);
  }

  function loadAvailability() {
    if (signedOut) return;
    api('/api/availability').then(renderAvailability, function (err) {
      if (err instanceof SignedOut) showSignIn();
    });
  }

  // ---- live updates ----------------------------------------------------------

  function closeStream() {
    if (source) source.close();
    source = null;
  }

  function connect() {
    closeStream();
    if (typeof EventSource === 'undefined') {
      scheduleRecover(10000); // no server-sent events: poll
      return;
    }
    lastEventAt = Date.now();
    var es = new EventSource('/api/queue/events');
    source = es;
    es.addEventListener('open', function () { retryMs = 1000; });
    es.addEventListener('queue', function (e) { renderQueue(JSON.parse(e.data)); });
    es.addEventListener('heartbeat', function (e) { syncClock(JSON.parse(e.data).serverNow); });
    es.addEventListener('error', function () {
      if (source !== es) return;
      setStatus('reconnecting', msg('page.status.reconnecting'));
      // CONNECTING: the browser retries by itself. CLOSED (an error status, e.g. 401): we take over.
      if (es.readyState === EventSource.CLOSED) {
        closeStream();
        scheduleRecover(retryMs);
      }
    });
  }

  function scheduleRecover(delay) {
    if (retryTimer !== null || signedOut) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      recover();
    }, delay);
  }

  /** Fetches the queue (which tells a dead server from a lost sign-in), then listens again. */
  function recover() {
    api('/api/queue').then(function (snapshot) {
      renderQueue(snapshot);
      connect();
    }, function (err) {
      if (err instanceof SignedOut) return showSignIn();
      setStatus('reconnecting', msg('page.status.unreachable'));
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      scheduleRecover(retryMs);
    });
  }

  // ---- charts ------------------------------------------------------------------

  var W = 560;
  var H = 240;
  var M = { left: 44, right: 28, top: 12, bottom: 36 }; // right: room for the last week's label

  function frame(label) {
    return svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': label });
  }

  function noData(root, text) {
    root.appendChild(svg('text', { x: (M.left + W - M.right) / 2, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', class: 'nodata' }, text));
  }

  function complianceChart(trend, colors) {
    var root = frame(msg('page.chart.complianceLabel'));
    var n = trend.weeks.length;
    var innerW = W - M.left - M.right;
    var innerH = H - M.top - M.bottom;
    function x(i) { return M.left + (n <= 1 ? innerW / 2 : (i * innerW) / (n - 1)); }
    function y(p) { return M.top + innerH - (p / 100) * innerH; }
    [0, 25, 50, 75, 100].forEach(function (p) {
      root.appendChild(svg('line', { x1: M.left, x2: W - M.right, y1: y(p), y2: y(p), class: 'grid' }));
      root.appendChild(svg('text', { x: M.left - 6, y: y(p) + 4, 'text-anchor': 'end', class: 'axis' }, p + '%'));
    });
    trend.weeks.forEach(function (w, i) {
      // Every other week, ending with this one, so the labels do not collide.
      if ((n - 1 - i) % 2 === 0) root.appendChild(svg('text', { x: x(i), y: H - M.bottom + 18, 'text-anchor': 'middle', class: 'axis' }, weekLabel(w.from, trend.timezone)));
    });
    var points = 0;
    trend.tiers.forEach(function (tier) {
      var g = svg('g', { class: 'series', 'data-tier': tier, stroke: colors[tier], fill: colors[tier] });
      var d = '';
      var penDown = false;
      var dots = [];
      trend.weeks.forEach(function (w, i) {
        var f = w.tiers[tier];
        var p = f ? f.overall.percent : null;
        if (p === null || p === undefined) { penDown = false; return; }
        d += (penDown ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(p).toFixed(1);
        penDown = true;
        var dot = svg('circle', { cx: x(i).toFixed(1), cy: y(p).toFixed(1), r: 3.5, class: 'point', stroke: 'none' });
        dot.appendChild(svg('title', {}, msg('page.chart.point', { tier: msg('tier.name', { tier: tier }), week: weekLabel(w.from, trend.timezone), percent: p, met: f.overall.met, breached: f.overall.breached, pending: f.overall.pending })));
        dots.push(dot);
        points++;
      });
      if (d) g.appendChild(svg('path', { d: d, class: 'line' }));
      dots.forEach(function (dot) { g.appendChild(dot); });
      root.appendChild(g);
    });
    if (points === 0) noData(root, msg('page.chart.noClocks'));
    return root;
  }

  /** A round axis maximum and step for counts. */
  function countScale(max) {
    var rough = Math.max(1, max) / 4;
    var magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    var step = [1, 2, 5, 10].map(function (k) { return k * magnitude; }).find(function (s) { return s >= rough; });
    step = Math.max(1, step);
    return { step: step, top: Math.max(step, Math.ceil(max / step) * step) };
  }

  function histogramChart(trend, colors) {
    var root = frame(msg('page.chart.histogramLabel'));
    var buckets = trend.firstResponse.buckets;
    var n = buckets.length;
    var innerW = W - M.left - M.right;
    var innerH = H - M.top - M.bottom;
    var max = Math.max.apply(null, buckets.map(function (b) { return b.total; }).concat([0]));
    var scale = countScale(max);
    function y(v) { return M.top + innerH - (v / scale.top) * innerH; }
    var band = innerW / n;
    var barW = band * 0.68;
    for (var v = 0; v <= scale.top; v += scale.step) {
      root.appendChild(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid' }));
      root.appendChild(svg('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, v));
    }
    buckets.forEach(function (b, i) {
      root.appendChild(svg('text', { x: M.left + band * i + band / 2, y: H - M.bottom + 18, 'text-anchor': 'middle', class: 'axis' }, bucketLabel(b)));
    });
    var base = buckets.map(function () { return 0; });
    trend.tiers.forEach(function (tier) {
      var g = svg('g', { class: 'series', 'data-tier': tier, fill: colors[tier] });
      buckets.forEach(function (b, i) {
        var count = b.counts[tier] || 0;
        if (count === 0) return;
        var top = y(base[i] + count);
        var rect = svg('rect', { x: (M.left + band * i + (band - barW) / 2).toFixed(1), y: top.toFixed(1), width: barW.toFixed(1), height: (y(base[i]) - top).toFixed(1) });
        rect.appendChild(svg('title', {}, msg('page.chart.bar', { tier: msg('tier.name', { tier: tier }), bucket: bucketLabel(b), count: count })));
        g.appendChild(rect);
        base[i] += count;
      });
      root.appendChild(g);
    });
    if (max === 0) noData(root, msg('page.chart.noAnswers'));
    return root;
  }

  function legend(ul, tiers, colors, describe) {
    var items = tiers.map(function (tier) {
      var li = node('li');
      li.setAttribute('data-tier', tier);
      var swatch = svg('svg', { width: 10, height: 10, viewBox: '0 0 10 10', 'aria-hidden': 'true' });
      swatch.appendChild(svg('rect', { width: 10, height: 10, rx: 2, fill: colors[tier] }));
      li.appendChild(swatch);
      li.appendChild(node('span', 'name', msg('tier.name', { tier: tier })));
      li.appendChild(node('span', 'figure', describe(tier)));
      return li;
    });
    ul.replaceChildren.apply(ul, items);
  }

  function renderCharts(trend) {
    var colors = {};
    trend.tiers.forEach(function (tier, i) { colors[tier] = COLORS[i % COLORS.length]; });
    $('compliance-chart').replaceChildren(complianceChart(trend, colors));
    $('histogram-chart').replaceChildren(histogramChart(trend, colors));
    legend($('compliance-legend'), trend.tiers, colors, function (tier) {
      var met = 0;
      var finished = 0;
      trend.weeks.forEach(function (w) {
        var f = w.tiers[tier];
        if (f) { met += f.overall.met; finished += f.overall.met + f.overall.breached; }
      });
      var text = finished ? msg('page.legend.compliance', { percent: Math.round((1000 * met) / finished) / 10 }) : msg('page.legend.nothingFinished');
      var rated = trend.satisfaction && trend.satisfaction[tier];
      return rated && rated.count ? text + ' · ' + msg('page.legend.rating', { average: rated.average, count: rated.count }) : text;
    });
    legend($('histogram-legend'), trend.tiers, colors, function (tier) {
      var f = trend.firstResponse.tiers[tier];
      return f && f.answered ? msg('page.legend.firstResponse', { median: durationText(f.medianSeconds), p90: durationText(f.p90Seconds), answered: f.answered }) : msg('page.legend.noneAnswered');
    });
    $('chart-note').textContent = msg('page.chart.note', { at: new Date(trend.at).toLocaleTimeString(LOCALE), zone: trend.timezone });
  }

  function loadCharts() {
    if (signedOut) return;
    api('/api/compliance').then(renderCharts, function (err) {
      if (err instanceof SignedOut) showSignIn();
    });
  }

  // ---- start -------------------------------------------------------------------

  function start() {
    setInterval(tick, 1000);
    setInterval(loadCharts, 60 * 1000);
    setInterval(loadAvailability, 30 * 1000);
    api('/api/queue').then(function (snapshot) {
      renderQueue(snapshot);
      connect();
      loadCharts();
      loadAvailability();
    }, function (err) {
      if (err instanceof SignedOut) return showSignIn();
      setStatus('reconnecting', msg('page.status.unreachable'));
      scheduleRecover(retryMs);
    });
  }

  watchLanguage();
  start();
})();
`;
