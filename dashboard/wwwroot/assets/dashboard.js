// OrleansSync operator dashboard.
//
// One page, seven sections. Only the section on screen is refreshed, every 2 seconds, and only while the tab is visible:
// the silos collect call statistics only while someone asks for them, so a hidden tab costs the cluster nothing.
// Invoice status changes also arrive at once over server-sent events (api/live).
//
// Every URL is relative to the dashboard's own folder, found from this module's address, so the page works behind a
// reverse proxy that mounts it under any base path. Everything shown from the server goes through html`…`, which escapes.
//
// The Logs section and the silo charts live in modules of their own (logs.js, silo-history.js), handed the helpers here.

import { createLogView } from './logs.js';
import { createSiloHistory } from './silo-history.js';

const base = new URL('../', import.meta.url);
const POLL_MS = 2000;
const CHART_SECONDS = 60;
const DUE_SOON_MS = 10 * 60_000; // the server's Dashboard:ReminderDueSoonWithin, for the badge of each row

// ---------------------------------------------------------------------------------------------------------------
// HTML with escaping

class Html {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = value => String(value).replace(/[&<>"']/g, c => escapes[c]);

function text(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(text).join('');
  return escape(value);
}

function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += text(values[i]) + strings[i + 1];
  return new Html(out);
}

const rendered = new WeakMap();

/** Replaces an element's content, unless it would be the same: a refresh that changes nothing touches no DOM. */
function put(id, content) {
  const element = typeof id === 'string' ? document.getElementById(id) : id;
  if (!element) return;
  const markup = text(content);
  if (rendered.get(element) === markup) return;
  rendered.set(element, markup);
  element.innerHTML = markup;
  updateTimes(element);
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting: what a person reads, never raw values

const numberFormat = new Intl.NumberFormat('en');
const decimalFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

const fmt = {
  int: n => (n === null || n === undefined) ? '–' : numberFormat.format(Math.round(n)),
  rate: n => (n === null || n === undefined) ? '–' : (n >= 100 ? numberFormat.format(Math.round(n)) : decimalFormat.format(n)),
  ms(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return '–';
    if (n >= 1000) return `${decimalFormat.format(n / 1000)} s`;
    if (n >= 10) return `${Math.round(n)} ms`;
    if (n >= 1) return `${decimalFormat.format(n)} ms`;
    if (n >= 0.1) return `${new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(n)} ms`;
    if (n === 0) return '0 ms';
    // In-silo calls take microseconds, or less: "0 ms" would say nothing.
    const us = n * 1000;
    return us >= 10 ? `${Math.round(us)} µs` : us >= 0.1 ? `${decimalFormat.format(us)} µs` : '< 0.1 µs';
  },
  percent: n => (n === null || n === undefined) ? '–' : `${decimalFormat.format(n)} %`,
  bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n >= 100 || i === 0 ? Math.round(n) : decimalFormat.format(n)} ${units[i]}`;
  },
  /** A span of seconds as people say it: "45 s", "12 min 5 s", "3 h 12 min", "2 d 4 h". */
  span(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '–';
    seconds = Math.max(0, seconds);
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 10) return `${decimalFormat.format(seconds)} s`;
    // Past ten minutes the seconds are noise: "24 min 59 s" reads as "25 min".
    const s = seconds >= 600 ? Math.round(seconds / 60) * 60 : Math.floor(seconds);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
    if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
    if (m > 0) return r > 0 ? `${m} min ${r} s` : `${m} min`;
    return `${r} s`;
  },
  money(amount, currency) {
    if (amount === null || amount === undefined) return '–';
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency: currency || 'USD' }).format(amount);
    } catch {
      return `${numberFormat.format(amount)} ${currency ?? ''}`.trim();
    }
  },
  dateTime: value => { const t = toTime(value); return t === null ? '–' : dateTimeFormat.format(new Date(t)); },
  /** A calendar date (no time zone), e.g. "2025-03-01" → "1 Mar 2025". */
  date(value) {
    if (!value) return '–';
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return fmt.dateTime(value);
    return dateFormat.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], 12)));
  },
  /** Coarser, for "when": "45 s", "12 min", "3 h 12 min", "2 d 4 h". */
  roughSpan(seconds) {
    if (seconds < 60) return `${Math.round(seconds)} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    return fmt.span(seconds);
  },
  relative(ms) {
    const future = ms > 0;
    const seconds = Math.abs(ms) / 1000;
    if (seconds < 2) return 'just now';
    const span = fmt.roughSpan(seconds);
    return future ? `in ${span}` : `${span} ago`;
  },
  shortType: type => {
    if (!type) return '–';
    const name = String(type).split(/[.+]/).pop();
    return name.replace(/Grain$/, '') || name;
  },
};

function toTime(value) {
  if (value === null || value === undefined || value === '') return null;
  const t = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** A .NET TimeSpan as JSON ("1.02:03:04.5" or "00:00:01.2345678"), or a number of seconds, in seconds. */
function spanSeconds(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  const match = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const seconds = (+(match[2] || 0)) * 86400 + (+match[3]) * 3600 + (+match[4]) * 60 + (+match[5]) + (match[6] ? +`0.${match[6]}` : 0);
  return match[1] ? -seconds : seconds;
}

// Times are compared with the server's clock (which the sandbox may have moved), not the browser's.
let serverOffset = 0;
const serverNow = () => Date.now() + serverOffset;

function noteServerTime(now) {
  const t = toTime(now);
  if (t !== null) serverOffset = t - Date.now();
}

/** A time shown relative to now ("3 min ago", "in 12 min"), kept current every second; the exact time on hover. */
function ago(value, empty = '–') {
  const t = toTime(value);
  if (t === null) return html`<span class="muted">${empty}</span>`;
  return html`<time class="nowrap" data-at="${t}" title="${fmt.dateTime(t)}" datetime="${new Date(t).toISOString()}"></time>`;
}

/** How long since a time ("3 h 12 min"), kept current every second. */
function since(value) {
  const t = toTime(value);
  if (t === null) return html`<span class="muted">–</span>`;
  return html`<time class="nowrap" data-since="${t}" title="since ${fmt.dateTime(t)}"></time>`;
}

function updateTimes(root = document) {
  const now = serverNow();
  for (const element of root.querySelectorAll('time[data-at]')) {
    const next = fmt.relative(+element.dataset.at - now);
    if (element.textContent !== next) element.textContent = next;
  }
  for (const element of root.querySelectorAll('time[data-since]')) {
    const next = fmt.span((now - +element.dataset.since) / 1000);
    if (element.textContent !== next) element.textContent = next;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Badges

const invoiceStatuses = {
  WaitingToBeSent: ['Waiting to be sent', 'grey'],
  SentToCustomer: ['Sent to customer', 'blue'],
  PartialPayment: ['Partial payment', 'amber'],
  PaidInFull: ['Paid in full', 'green'],
  Overdue: ['Overdue', 'red'],
  Voided: ['Voided', 'grey'],
  Deleted: ['Deleted', 'grey strike'],
};
const siloStatuses = { Active: 'green', Joining: 'blue', ShuttingDown: 'amber', Stopped: 'grey', Dead: 'red' };
const connectionStates = { Connected: 'green', Broken: 'red', Disconnected: 'grey' };

const sources = { quickbooks: 'QuickBooks', hubspot: 'HubSpot' };
const sourceName = source => sources[source] ?? words(source);
const words = value => String(value ?? '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').replace(/^./, c => c.toUpperCase()).replace(/ (\w)/g, (_, c) => ` ${c.toLowerCase()}`);

function badge(label, colour, attributes = '') {
  return html`<span class="badge ${colour}" ${new Html(attributes)}>${label}</span>`;
}

function invoiceBadge(status, label) {
  const [known, colour] = invoiceStatuses[status] ?? [words(status), 'grey'];
  return badge(label || known, colour, `data-status="${escape(status ?? '')}"`);
}

const siloBadge = status => badge(words(status), siloStatuses[status] ?? 'grey');

function connectionBadge(connection) {
  if (!connection) return badge('Not connected', 'grey');
  return badge(words(connection.state), connectionStates[connection.state] ?? 'grey');
}

function tokenExpiry(connection) {
  if (!connection || connection.state !== 'Connected' || !connection.accessTokenExpiresAt) return html`<span class="muted">–</span>`;
  const t = toTime(connection.accessTokenExpiresAt);
  return t < serverNow()
    ? html`<span class="badge amber">expired</span> ${ago(t)}`
    : html`expires ${ago(t)}`;
}

function empty(title, detail = '') {
  return html`<div class="empty"><strong>${title}</strong>${detail}</div>`;
}

/** A value in an invoice's history, in words where it is one of ours (a status, an email status). */
function fieldValue(field, value) {
  if (value === null || value === undefined || value === '') return '–';
  if (/status$/i.test(field ?? '')) return invoiceStatuses[value]?.[0] ?? words(value);
  if (/date$/i.test(field ?? '') && /^\d{4}-\d{2}-\d{2}$/.test(value)) return fmt.date(value);
  return value;
}

/** QuickBooks' field names in the words its screens use. */
const fieldNames = { docNumber: 'Number', totalAmt: 'Total', txnDate: 'Invoice date', dueDate: 'Due date', emailStatus: 'Email', billEmail: 'Bill email', customerName: 'Customer', customerId: 'Customer id' };
const fieldName = field => fieldNames[field] ?? words(field);

function recordLabel(record) {
  const [type, id] = typeof record === 'string' ? record.split('/') : [record?.objectType, record?.objectId];
  const singular = { deals: 'Deal', contacts: 'Contact', companies: 'Company' }[type] ?? words(type);
  return `${singular} ${id ?? ''}`.trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Talking to the server

class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** The page's mark on its requests: refused, they get no basic-auth challenge, so the browser opens no dialog of its own. */
const PAGE_REQUEST = { 'X-Requested-With': 'OrleansSync-Dashboard' };

/** A request to the api. A 401 brings up the sign-in form, unless told not to (signing in or out, say). */
async function api(path, { method = 'GET', body, askToSignIn = true } = {}) {
  let response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: { Accept: 'application/json', ...PAGE_REQUEST, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The silo cannot be reached', 'The dashboard keeps trying every 2 seconds.');
  }

  if (!response.ok) {
    let title = `${response.status} ${response.statusText}`.trim();
    let detail = '';
    let problem = null;
    try {
      problem = await response.json();
      title = problem.title || title;
      detail = problem.detail || '';
    } catch {
      // Not problem details: the status says enough.
    }
    if (response.status === 401 && askToSignIn) signIn(problem?.signInWith);
    throw new ApiError(response.status, title, detail);
  }

  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError(response.status, 'The silo answered something that is not JSON', path);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Toasts

function toast(title, detail = '', kind = 'error') {
  const box = document.getElementById('toasts');
  const key = `${kind}|${title}|${detail}`;
  for (const existing of box.children) if (existing.dataset.key === key) return; // the same trouble, once
  const element = document.createElement('div');
  element.className = `toast ${kind}`;
  element.dataset.key = key;
  element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  element.innerHTML = text(html`<div><div class="toast-title">${title}</div>${detail ? html`<div class="toast-detail">${detail}</div>` : ''}</div><button type="button" aria-label="Dismiss">×</button>`);
  element.querySelector('button').addEventListener('click', () => element.remove());
  box.append(element);
  setTimeout(() => element.remove(), kind === 'error' ? 8000 : 4000);
}

function problemToast(error, fallback) {
  if (error instanceof ApiError) {
    if (error.status === 401) return; // the sign-in prompt says it
    toast(error.detail ? error.title : fallback, error.detail || error.title);
  } else {
    toast(fallback, error?.message ?? String(error));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in. The page and its files are open to anyone; the api is not. When it refuses, the page asks for an operator
// key — or a dashboard user's name and password, when the server has users — and signs in with api/session, which
// sets the same HttpOnly cookie as an operator's link (?key=) does. What was on screen stays, blurred: it is no longer
// current, nor anyone's to read.

const SIGNED_OUT_NOTE = 'orleanssync-dashboard-signed-out';
const keyInAddress = new URLSearchParams(location.search).has('key'); // only a refused key stays in the address
let signedOut = false;
let signInWays = ['key'];
let signInWay = 'key';

function signIn(ways) {
  if (signedOut) return; // a request that was under way: the form is up already
  signedOut = true;
  stopLive();
  clearTimeout(timer);
  timer = null;
  document.body.classList.add('signed-out');
  if (Array.isArray(ways) && ways.length) signInWays = ways;
  if (!signInWays.includes(signInWay)) signInWay = signInWays[0];

  const justSignedOut = sessionStorage.getItem(SIGNED_OUT_NOTE) !== null;
  sessionStorage.removeItem(SIGNED_OUT_NOTE);
  const byUser = signInWays.includes('basic');
  setLive('offline', overview ? 'Signed out' : 'Not signed in');
  document.getElementById('sign-out').hidden = true;
  document.getElementById('signin-reason').textContent =
    justSignedOut ? 'You have signed out.'
      : overview ? 'Your sign-in has ended, or the key it used is no longer valid. Sign in again to go on.'
        : keyInAddress ? 'The link you followed carries a key that is not valid.'
          : byUser ? 'Enter an operator key, or your dashboard user name and password.'
            : 'Enter an operator key to see the cluster.';
  signInError(keyInAddress && !overview && !justSignedOut ? 'That key was not accepted.' : '');
  document.getElementById('signin-ways').hidden = !byUser;
  document.getElementById('signin').hidden = false;
  showSignInWay(signInWay);
}

function showSignInWay(way) {
  signInWay = way;
  for (const button of document.querySelectorAll('#signin-ways button')) button.setAttribute('aria-pressed', String(button.dataset.way === way));
  for (const fields of document.querySelectorAll('#signin-form .fields')) fields.hidden = fields.dataset.way !== way;
  document.querySelector(`#signin-form .fields[data-way="${way}"] input`).focus();
}

function signInError(message) {
  const error = document.getElementById('signin-error');
  error.textContent = message;
  error.hidden = !message;
}

document.getElementById('signin-ways').addEventListener('click', event => {
  const button = event.target.closest('button[data-way]');
  if (!button) return;
  signInError('');
  showSignInWay(button.dataset.way);
});

document.getElementById('signin-form').addEventListener('submit', async event => {
  event.preventDefault();
  const field = id => document.getElementById(id);
  const body = signInWay === 'basic'
    ? { user: field('signin-user').value.trim(), password: field('signin-password').value }
    : { key: field('signin-key').value.trim() };
  if (signInWay === 'basic' ? !body.user || !body.password : !body.key) {
    signInError(signInWay === 'basic' ? 'Enter your user name and password.' : 'Enter an operator key.');
    return;
  }

  const submit = field('signin-submit');
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    await api('api/session', { method: 'POST', body, askToSignIn: false });
  } catch (error) {
    signInError(error.status === 401 ? error.detail || 'That key was not accepted.' : error.status === 0 ? 'The silo cannot be reached. Try again in a moment.' : error.detail || error.title);
    const retry = signInWay === 'basic' ? field('signin-password') : field('signin-key');
    retry.select();
    retry.focus();
    return;
  } finally {
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }

  for (const input of document.querySelectorAll('#signin-form input')) input.value = '';
  signInError('');
  document.getElementById('signin').hidden = true;
  document.body.classList.remove('signed-out');
  signedOut = false;
  setLive('connecting');
  start();
});

// Signing out forgets everything on screen: the page loads again, and asks for a sign-in.
document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await api('api/session', { method: 'DELETE', askToSignIn: false });
  } catch (error) {
    problemToast(error, 'Signing out failed');
    return;
  }
  sessionStorage.setItem(SIGNED_OUT_NOTE, '1');
  location.reload();
});

// ---------------------------------------------------------------------------------------------------------------
// Header

let overview = null;
const siloColours = ['#2f6fdf', '#12a37a', '#e58a1f', '#9457d6', '#d9473b', '#1aa3b8', '#c2417e', '#6b8f23'];

function siloColour(siloId) {
  const index = (overview?.silos ?? []).map(s => s.siloId).sort().indexOf(siloId);
  return index < 0 ? '#98a2b3' : siloColours[index % siloColours.length];
}

function siloName(siloId) {
  const silo = overview?.silos?.find(s => s.siloId === siloId);
  if (!silo) return siloId ? `silo ${siloId}` : 'no silo';
  try {
    return new URL(silo.address).host;
  } catch {
    return silo.address || silo.siloId;
  }
}

async function loadOverview() {
  const data = await api('api/overview');
  overview = data;
  noteServerTime(data.now);
  renderHeader(data);
  return data;
}

function renderHeader(data) {
  const silos = data.silos ?? [];
  const active = silos.filter(s => s.status === 'Active').length;
  document.getElementById('cluster-name').textContent = data.clusterName || data.clusterId || (data.mode === 'cluster' ? 'Cluster' : 'Operator dashboard');
  const mode = document.getElementById('cluster-mode');
  mode.textContent = data.mode === 'cluster' ? `Cluster · ${active} of ${silos.length} silos active` : 'Single process';
  mode.hidden = false;

  const who = document.getElementById('who');
  const auth = data.auth ?? {};
  who.textContent = auth.mode === 'basic' ? `Signed in as ${auth.user ?? 'operator'}` : auth.mode === 'anonymous' ? 'Anonymous' : 'Operator key';
  who.hidden = false;
  document.getElementById('sign-out').hidden = auth.mode !== 'key' && auth.mode !== 'basic'; // anonymous access has no sign-in to end

  const banner = document.getElementById('banner');
  const messages = [];
  if (auth.mode === 'anonymous') messages.push('Anonymous access is on: anyone who can reach this page sees the whole cluster.');
  if (data.devMode) messages.push('Development mode: one process, in memory, with the sandbox standing in for HubSpot and QuickBooks; without Api:AdminKeys the operator key is generated at start.');
  if (data.banner) messages.push(data.banner);
  banner.textContent = messages.join(' ');
  banner.classList.toggle('danger', auth.mode === 'anonymous');
  banner.hidden = messages.length === 0;
}

function setLive(stateName, label) {
  const live = document.getElementById('live');
  live.dataset.state = stateName;
  live.querySelector('.live-text').textContent = label ?? { live: 'Live', paused: 'Paused', offline: 'Offline', connecting: 'Connecting…' }[stateName];
}

// ---------------------------------------------------------------------------------------------------------------
// Charts: hand-written SVG

/** A step for four grid lines that reach past value, each a round number (1, 2 or 5 × 10ⁿ), at least minStep. */
function niceStep(value, minStep) {
  const rough = value / 4;
  if (!(rough > 0)) return minStep;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= rough) ?? 10 * power;
  return Math.max(step, minStep);
}

let chartId = 0;

/**
 * A line or area chart over the last minute. series: [{ name, colour, area, points: [{ t, v }] }], v null for a gap.
 */
function timeChart(series, { format, end = serverNow(), seconds = CHART_SECONDS, height = 190, minStep = 0.25 } = {}) {
  const width = 640, left = 56, right = 12, top = 10, bottom = 24;
  const plotWidth = width - left - right, plotHeight = height - top - bottom;
  const start = end - seconds * 1000;
  let max = 0;
  for (const s of series) for (const p of s.points) if (p.v !== null && p.t >= start) max = Math.max(max, p.v);
  const yMax = niceStep(max * 1.05, minStep) * 4;
  const x = t => left + Math.min(1, Math.max(0, (t - start) / (end - start))) * plotWidth;
  const y = v => top + plotHeight - (v / yMax) * plotHeight;

  const parts = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${escape(format(v))}</text>`);
  }
  // Past a minute, a tick a minute: "−5 min" … "now".
  const ticks = seconds > 60 ? Array.from({ length: Math.floor(seconds / 60) + 1 }, (_, i) => seconds - seconds % 60 - i * 60) : [60, 45, 30, 15, 0];
  for (const ago of ticks) {
    if (ago > seconds) continue;
    const tx = x(end - ago * 1000);
    const label = ago === 0 ? 'now' : seconds > 60 ? `−${ago / 60} min` : `−${ago} s`;
    parts.push(`<text class="tick" x="${tx.toFixed(1)}" y="${height - 6}" text-anchor="${ago === 0 ? 'end' : ago === seconds ? 'start' : 'middle'}">${label}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}"/>`);

  for (const s of series) {
    const segments = [];
    let current = [];
    for (const p of s.points) {
      if (p.t < start) continue;
      if (p.v === null || p.v === undefined) { if (current.length) segments.push(current); current = []; continue; }
      current.push(p);
    }
    if (current.length) segments.push(current);
    for (const segment of segments) {
      const line = segment.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
      if (s.area) {
        const area = `${line}L${x(segment[segment.length - 1].t).toFixed(1)},${y(0)}L${x(segment[0].t).toFixed(1)},${y(0)}Z`;
        parts.push(`<path d="${area}" fill="${s.colour}" fill-opacity="0.12" stroke="none"/>`);
      }
      if (segment.length === 1) parts.push(`<circle cx="${x(segment[0].t).toFixed(1)}" cy="${y(segment[0].v).toFixed(1)}" r="2.5" fill="${s.colour}"/>`);
      parts.push(`<path d="${line}" fill="none" stroke="${s.colour}" stroke-width="${s.dashed ? 1.5 : 2}" ${s.dashed ? 'stroke-dasharray="5 4"' : ''} stroke-linejoin="round" stroke-linecap="round"/>`);
    }
  }

  const legend = series.map(s => {
    const last = [...s.points].reverse().find(p => p.v !== null && p.v !== undefined);
    return html`<span><span class="swatch" style="background:${s.colour}"></span> ${s.name} <b>${last ? format(last.v) : '–'}</b></span>`;
  });
  const id = `chart-title-${++chartId}`;
  return html`<div class="chart-legend">${legend}</div><svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}"><title id="${id}">${series.map(s => s.name).join(', ')} over the last ${fmt.span(seconds)}</title>${new Html(parts.join(''))}</svg>`;
}

function stackedBar(segments, total, scale) {
  const width = scale > 0 ? (total / scale) * 100 : 0;
  return html`<div class="hbar" style="width:${Math.max(width, total > 0 ? 1 : 0).toFixed(2)}%">${segments.filter(s => s.value > 0).map(s => html`<span style="width:${((s.value / total) * 100).toFixed(2)}%;background:${s.colour}" title="${s.label}: ${fmt.int(s.value)}"></span>`)}</div>`;
}

function meter(used, limit) {
  if (!(limit > 0)) return html`<div class="bar"><span style="width:0"></span></div>`;
  const share = Math.min(1, Math.max(0, used / limit));
  const colour = share >= 0.85 ? 'red' : share >= 0.6 ? 'amber' : 'green';
  return html`<div class="bar ${colour}" role="meter" aria-valuemin="0" aria-valuemax="${limit}" aria-valuenow="${used}"><span style="width:${(share * 100).toFixed(1)}%"></span></div>`;
}

function budgetRow(label, used, limit, unit) {
  return html`<div class="budget"><span>${label}</span>${meter(used ?? 0, limit)}<span class="figure">${fmt.int(used ?? 0)} of ${fmt.int(limit)}${unit ? ` ${unit}` : ''}</span></div>`;
}

function card(label, value, note = '', tone = '') {
  return html`<div class="card ${tone}"><div class="card-label">${label}</div><div class="card-value">${value}</div><div class="card-note">${note}</div></div>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Cluster

async function refreshCluster() {
  const data = await loadOverview();
  const silos = [...(data.silos ?? [])].sort((a, b) => siloName(a.siloId).localeCompare(siloName(b.siloId), 'en', { numeric: true }));
  const active = silos.filter(s => s.status === 'Active');
  const owners = data.partitionOwners ?? [];
  const owned = owners.filter(o => o !== null && o !== undefined).length;
  const partitionCount = data.partitionCount ?? owners.length;
  const activations = silos.reduce((sum, s) => sum + (s.activations ?? 0), 0);
  const memory = silos.reduce((sum, s) => sum + (s.memoryBytes ?? 0), 0);
  const cpu = active.length ? active.reduce((sum, s) => sum + (s.cpuPercent ?? 0), 0) / active.length : null;

  document.getElementById('cluster-summary').textContent = data.mode === 'cluster'
    ? `${silos.length} silos share ${fmt.int(partitionCount)} partitions over PostgreSQL.`
    : 'One process serves every partition, in memory, with the sandbox standing in for HubSpot and QuickBooks.';

  put('cluster-cards', [
    card('Silos', `${active.length} / ${silos.length}`, 'active', active.length === silos.length ? 'good' : 'warn'),
    card('Partitions owned', `${fmt.int(owned)} / ${fmt.int(partitionCount)}`, owned === partitionCount ? 'every partition served' : `${fmt.int(partitionCount - owned)} waiting for an owner`, owned === partitionCount ? 'good' : 'bad'),
    card('Activations', fmt.int(activations), 'grains in memory'),
    card('CPU', fmt.percent(cpu), 'average over active silos'),
    card('Memory', fmt.bytes(memory), 'working set, all silos'),
  ]);

  put('silos', silos.length === 0 ? empty('No silos', 'No silo has joined the cluster yet.') : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Silo</th><th>Status</th><th>Uptime</th><th>CPU</th><th>Memory</th><th class="num">Partitions</th><th class="num">Activations</th><th>Last heartbeat</th></tr></thead>
      <tbody>${silos.map(s => html`
        <tr data-silo="${s.siloId}" class="clickable ${s.siloId === siloHistory.selected ? 'selected' : ''}" data-action="silo-history" tabindex="0" title="Show this silo's charts">
          <td><span class="swatch" style="background:${siloColour(s.siloId)}"></span> <b>${siloName(s.siloId)}</b>${s.self ? html` <span class="tag">serving this page</span>` : ''}<div class="muted small mono">${s.siloId}</div></td>
          <td>${siloBadge(s.status)}${s.problem ? html`<div class="small warn-text">${s.problem}</div>` : ''}</td>
          <td>${s.status === 'Active' || s.status === 'Joining' || s.status === 'ShuttingDown' ? since(s.startedAt) : html`<span class="muted">–</span>`}</td>
          <td class="nowrap">${s.cpuPercent === null || s.cpuPercent === undefined ? html`<span class="muted">–</span>` : html`${meter(s.cpuPercent, 100)}<span class="small">${fmt.percent(s.cpuPercent)}</span>`}</td>
          <td class="nowrap">${fmt.bytes(s.memoryBytes)}${s.gcHeapBytes ? html`<div class="muted small">GC heap ${fmt.bytes(s.gcHeapBytes)}</div>` : ''}</td>
          <td class="num">${fmt.int(s.partitionsOwned)}</td>
          <td class="num">${fmt.int(s.activations)}</td>
          <td>${ago(s.lastHeartbeat)}</td>
        </tr>`)}
      </tbody>
    </table></div>`);

  const ownerIds = [...new Set(owners.filter(o => o))].sort();
  const cells = [];
  for (let i = 0; i < partitionCount; i++) {
    const owner = owners[i];
    cells.push(owner
      ? `<span style="background:${siloColour(owner)}" title="Partition ${i} · ${escape(siloName(owner))}"></span>`
      : `<span class="unowned" title="Partition ${i} · no owner"></span>`);
  }
  put('partition-map', html`
    <div class="partition-map">
      <div class="partition-grid" role="img" aria-label="${fmt.int(partitionCount)} partitions coloured by the silo that owns each">${new Html(cells.join(''))}</div>
      <div class="legend">
        ${ownerIds.map(id => html`<div class="legend-item"><span class="swatch" style="background:${siloColour(id)}"></span>${siloName(id)}<span class="muted">${fmt.int(owners.filter(o => o === id).length)} partitions</span></div>`)}
        ${owned < partitionCount ? html`<div class="legend-item"><span class="swatch unowned" style="background:repeating-linear-gradient(45deg,#e4e7ec,#e4e7ec 3px,#f2f4f7 3px,#f2f4f7 6px)"></span>No owner<span class="muted">${fmt.int(partitionCount - owned)} partitions</span></div>` : ''}
      </div>
    </div>`);
}

// ---------------------------------------------------------------------------------------------------------------
// Grains

const expandedTypes = new Set();

async function refreshGrains() {
  const [data, view] = await Promise.all([api(`api/grains?seconds=${CHART_SECONDS}`), loadOverview()]);
  const seconds = data.seconds ?? [];
  const types = [...(data.types ?? [])].sort((a, b) => (b.callsPerSecond ?? 0) - (a.callsPerSecond ?? 0) || a.grainType.localeCompare(b.grainType));
  const end = seconds.length ? Math.max(serverNow(), toTime(seconds[seconds.length - 1].at)) : serverNow();

  const totalCalls = seconds.reduce((sum, s) => sum + (s.calls ?? 0), 0);
  const totalExceptions = seconds.reduce((sum, s) => sum + (s.exceptions ?? 0), 0);
  const weightedLatency = seconds.reduce((sum, s) => sum + (s.averageMs ?? 0) * (s.calls ?? 0), 0);
  const slowest = types.filter(t => (t.callsPerSecond ?? 0) > 0 || t.p99Ms).reduce((max, t) => Math.max(max, t.p99Ms ?? 0), 0);
  const activations = (view.activationsByType ?? []).reduce((sum, t) => sum + (t.total ?? 0), 0);
  const watchedSince = toTime(data.collectingSince) ?? -Infinity;
  const recent = seconds.filter(x => toTime(x.at) >= watchedSince - 1000).slice(-5);
  const recentRate = recent.length ? recent.reduce((sum, x) => sum + (x.calls ?? 0), 0) / recent.length : 0;

  put('grain-cards', [
    card('Calls per second', fmt.rate(recentRate), `last 5 s · ${fmt.int(totalCalls)} calls in the last minute`),
    card('Average latency', totalCalls ? fmt.ms(weightedLatency / totalCalls) : '–', 'last minute'),
    card('p99 latency', types.length ? fmt.ms(slowest) : '–', 'slowest grain type'),
    card('Exceptions', fmt.int(totalExceptions), 'last minute', totalExceptions > 0 ? 'bad' : ''),
    card('Activations', fmt.int(activations), `${fmt.int((view.activationsByType ?? []).length)} grain types`),
  ]);

  // Before collection switched on nobody measured: a gap, not zero calls.
  const watchedFrom = watchedSince;
  const measured = s => toTime(s.at) >= watchedFrom - 1000;
  const points = key => seconds.map(s => ({ t: toTime(s.at), v: measured(s) ? (s[key] ?? null) : null }));
  document.getElementById('calls-note').textContent = watchedFrom > end - CHART_SECONDS * 1000
    ? `measuring since ${fmt.relative(watchedFrom - serverNow())}`
    : `last ${CHART_SECONDS} s`;

  if (data.collecting === false && seconds.length === 0) {
    put('chart-calls', html`<div class="loading">Collection is starting: the silos measure calls only while someone watches.</div>`);
    put('chart-latency', '');
  } else {
    put('chart-calls', timeChart([
      { name: 'Calls/s', colour: '#2f6fdf', area: true, points: points('calls') },
      { name: 'Exceptions/s', colour: '#d9473b', points: points('exceptions') },
    ], { format: fmt.rate, end, minStep: 1 }));
    put('chart-latency', timeChart([
      { name: 'Average', colour: '#12a37a', area: true, points: points('averageMs') },
      { name: 'p99', colour: '#e58a1f', points: points('p99Ms') },
    ], { format: fmt.ms, end }));
  }

  put('grain-types', types.length === 0 ? empty('No grain calls in the last minute', 'Calls appear here within seconds of being made.') : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Grain type / method</th><th class="num">Calls/s</th><th class="num">Average</th><th class="num">p99</th><th class="num">Exceptions</th></tr></thead>
      <tbody>${types.map(t => {
        const open = expandedTypes.has(t.grainType);
        const methods = [...(t.methods ?? [])].sort((a, b) => (b.callsPerSecond ?? 0) - (a.callsPerSecond ?? 0));
        return html`
          <tr class="clickable" data-action="toggle-type" data-type="${t.grainType}" aria-expanded="${open}">
            <td><span class="caret">${open ? '▾' : '▸'}</span><b title="${t.grainType}">${fmt.shortType(t.grainType)}</b> <span class="muted small">${methods.length} ${methods.length === 1 ? 'method' : 'methods'}</span></td>
            <td class="num">${fmt.rate(t.callsPerSecond)}</td>
            <td class="num">${fmt.ms(t.averageMs)}</td>
            <td class="num">${fmt.ms(t.p99Ms)}</td>
            <td class="num">${t.exceptions ? badge(fmt.int(t.exceptions), 'red') : '0'}</td>
          </tr>
          ${open ? methods.map(m => html`
            <tr class="sub">
              <td class="mono">${m.method}</td>
              <td class="num">${fmt.rate(m.callsPerSecond)}</td>
              <td class="num">${fmt.ms(m.averageMs)}</td>
              <td class="num">${fmt.ms(m.p99Ms)}</td>
              <td class="num">${m.exceptions ? badge(fmt.int(m.exceptions), 'red') : '0'}</td>
            </tr>`) : ''}`;
      })}
      </tbody>
    </table></div>`);

  const byType = [...(view.activationsByType ?? [])].sort((a, b) => (b.total ?? 0) - (a.total ?? 0));
  const silos = [...(view.silos ?? [])].sort((a, b) => siloName(a.siloId).localeCompare(siloName(b.siloId), 'en', { numeric: true }));
  const scale = byType.reduce((max, t) => Math.max(max, t.total ?? 0), 0);
  put('activations', byType.length === 0 ? empty('No activations', 'Grains activate when they are first called.') : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Grain type</th><th style="width:40%">By silo</th>${silos.map(s => html`<th class="num"><span class="swatch" style="background:${siloColour(s.siloId)}"></span> ${siloName(s.siloId)}</th>`)}<th class="num">Total</th></tr></thead>
      <tbody>${byType.map(t => html`
        <tr>
          <td><b title="${t.grainType}">${fmt.shortType(t.grainType)}</b></td>
          <td>${stackedBar(silos.map(s => ({ label: siloName(s.siloId), value: t.bySilo?.[s.siloId] ?? 0, colour: siloColour(s.siloId) })), t.total ?? 0, scale)}</td>
          ${silos.map(s => html`<td class="num">${fmt.int(t.bySilo?.[s.siloId] ?? 0)}</td>`)}
          <td class="num"><b>${fmt.int(t.total)}</b></td>
        </tr>`)}
      </tbody>
    </table></div>`);
}

// ---------------------------------------------------------------------------------------------------------------
// Reminders

const reminderView = { filter: 'all', skip: 0, take: 50 };

async function refreshReminders() {
  const data = await api(`api/reminders?filter=${encodeURIComponent(reminderView.filter)}&skip=${reminderView.skip}&take=${reminderView.take}`);
  const now = serverNow();
  put('reminder-cards', [
    card('Reminders', fmt.int(data.total), 'in the table'),
    card('Due soon', fmt.int(data.dueSoon), 'in the next 10 minutes', data.dueSoon > 0 ? 'warn' : ''),
    card('Late', fmt.int(data.late), 'past due and not yet fired', data.late > 0 ? 'bad' : 'good'),
  ]);

  for (const button of document.querySelectorAll('#reminder-filter button')) button.setAttribute('aria-pressed', String(button.dataset.filter === reminderView.filter));

  const page = data.page ?? [];
  const matching = reminderView.filter === 'late' ? data.late : reminderView.filter === 'dueSoon' ? data.dueSoon : data.total;
  const filterWords = { all: 'No reminders', late: 'No late reminders', dueSoon: 'No reminders due soon' }[reminderView.filter];
  put('reminder-list', page.length === 0 ? empty(filterWords, reminderView.filter === 'late' ? 'Every reminder has fired on time.' : '') : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Grain</th><th>Reminder</th><th>Next due</th><th>Every</th><th class="num">Partition</th><th>State</th></tr></thead>
      <tbody>${page.map(r => {
        const due = toTime(r.nextDue);
        const late = r.late ?? (due !== null && due < now);
        return html`
        <tr>
          <td><b>${fmt.shortType(r.grainType)}</b><div class="muted small mono wrap-anywhere">${r.grainId}</div></td>
          <td class="mono">${r.name}</td>
          <td>${ago(r.nextDue)}<div class="muted small">${fmt.dateTime(r.nextDue)}</div></td>
          <td class="nowrap">${spanSeconds(r.period) > 0 ? fmt.span(spanSeconds(r.period)) : html`<span class="muted">once</span>`}</td>
          <td class="num">${r.partition ?? '–'}</td>
          <td>${late ? badge('Late', 'red') : due !== null && due - now <= DUE_SOON_MS ? badge('Due soon', 'amber') : badge('Scheduled', 'grey')}</td>
        </tr>`;
      })}</tbody>
    </table></div>`);

  const from = page.length ? reminderView.skip + 1 : 0;
  const to = reminderView.skip + page.length;
  put('reminder-pager', (matching ?? 0) > reminderView.take || reminderView.skip > 0 ? html`
    <span>${fmt.int(from)}–${fmt.int(to)} of ${fmt.int(matching)}</span>
    <span class="toolbar">
      <button type="button" class="btn small" data-action="reminder-page" data-skip="${Math.max(0, reminderView.skip - reminderView.take)}" ${reminderView.skip === 0 ? new Html('disabled') : ''}>‹ Previous</button>
      <button type="button" class="btn small" data-action="reminder-page" data-skip="${reminderView.skip + reminderView.take}" ${to >= (matching ?? 0) ? new Html('disabled') : ''}>Next ›</button>
    </span>` : '');
}

// ---------------------------------------------------------------------------------------------------------------
// Inbox

async function refreshInbox() {
  const data = await api('api/inbox');
  const backlog = [...(data.backlog ?? [])].filter(b => (b.pending ?? 0) > 0 || (b.dead ?? 0) > 0).sort((a, b) => (b.pending + b.dead) - (a.pending + a.dead) || a.partition - b.partition);
  const dead = [...(data.deadLetters ?? [])].sort((a, b) => (toTime(b.receivedAt) ?? 0) - (toTime(a.receivedAt) ?? 0));
  const pending = backlog.reduce((sum, b) => sum + (b.pending ?? 0), 0);
  const deadCount = Math.max(dead.length, backlog.reduce((sum, b) => sum + (b.dead ?? 0), 0));
  const oldest = backlog.map(b => toTime(b.oldestPendingReceivedAt)).filter(t => t !== null).sort((a, b) => a - b)[0];

  put('inbox-cards', [
    card('Pending', fmt.int(pending), 'webhooks waiting for their grain', pending > 0 ? 'warn' : 'good'),
    card('Dead letters', fmt.int(deadCount), 'gave up after retries', deadCount > 0 ? 'bad' : 'good'),
    card('Oldest pending', oldest ? html`${since(oldest)}` : '–', oldest ? 'waiting' : 'nothing waiting'),
    card('Partitions with work', fmt.int(backlog.length), ''),
  ]);

  put('dead-letters', dead.length === 0 ? empty('No dead letters', 'Every webhook reached its grain.') : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Received</th><th>Tenant</th><th>Source</th><th>Event</th><th class="num">Attempts</th><th>Last error</th><th></th></tr></thead>
      <tbody>${dead.map(d => html`
        <tr data-dead-letter="${d.id}">
          <td>${ago(d.receivedAt)}</td>
          <td class="mono">${d.tenantId}</td>
          <td>${sourceName(d.source)}</td>
          <td class="mono small wrap-anywhere">${d.eventId}</td>
          <td class="num">${fmt.int(d.attempts)}</td>
          <td class="small wrap-anywhere">${d.lastError || html`<span class="muted">–</span>`}</td>
          <td><button type="button" class="btn small" data-action="replay" data-id="${d.id}">Replay</button></td>
        </tr>`)}
      </tbody>
    </table></div>`);

  put('backlog', backlog.length === 0 ? empty('The inbox is empty', 'No partition has a webhook waiting.') : html`
    <div class="table-wrap"><table>
      <thead><tr><th class="num">Partition</th><th class="num">Pending</th><th class="num">Dead</th><th>Oldest pending</th></tr></thead>
      <tbody>${backlog.map(b => html`
        <tr><td class="num">${b.partition}</td><td class="num">${fmt.int(b.pending)}</td><td class="num">${b.dead ? badge(fmt.int(b.dead), 'red') : '0'}</td><td>${b.oldestPendingReceivedAt ? since(b.oldestPendingReceivedAt) : html`<span class="muted">–</span>`}</td></tr>`)}
      </tbody>
    </table></div>`);
}

async function replay(button) {
  button.disabled = true;
  button.textContent = 'Replaying…';
  try {
    await api(`api/inbox/dead-letters/${encodeURIComponent(button.dataset.id)}/replay`, { method: 'POST' });
    button.textContent = 'Replayed';
    toast('Replayed', 'The webhook is back in the inbox and will be delivered again.', 'success');
  } catch (error) {
    problemToast(error, 'Replay failed');
    button.disabled = false;
    button.textContent = 'Replay';
  }
  refreshSoon();
}

// ---------------------------------------------------------------------------------------------------------------
// Tenants

let knownTenants = null;

async function refreshTenants() {
  const tenants = await api('api/tenants');
  rememberTenants(tenants);
  put('tenant-list', tenants.length === 0 ? html`<div class="panel">${empty('No tenants yet', 'A HubSpot account becomes a tenant when it installs the app.')}</div>` : tenants.map(renderTenant));
}

function rememberTenants(tenants) {
  knownTenants = tenants.map(t => t.portalId);
  const select = document.getElementById('invoice-portal');
  const options = html`<option value="">All tenants</option>${knownTenants.map(p => html`<option value="${p}">Portal ${p}</option>`)}`;
  const value = select.value;
  put(select, options);
  select.value = value;
}

function renderTenant(t) {
  const health = t.health ?? { inSync: 0, excluded: 0, failing: 0, failures: [] };
  const budget = t.hubSpotBudget;
  const accounts = t.accounts ?? [];
  return html`
  <article class="panel tenant" data-portal="${t.portalId}">
    <div class="tenant-head">
      <div class="tenant-title"><h2>Portal ${t.portalId}</h2><span class="muted">HubSpot account</span></div>
      <div class="toolbar">${t.installed ? badge('Installed', 'green') : badge('Not installed', 'grey')}${t.companyCurrency ? html`<span class="tag">${t.companyCurrency}</span>` : ''}</div>
    </div>
    ${t.problem ? html`<div class="notice">${t.problem}</div>` : ''}
    <div class="tenant-grid">
      <div>
        <p class="subhead">HubSpot connection</p>
        <dl class="kv">
          <dt>State</dt><dd>${connectionBadge(t.hubSpot)}${t.hubSpot?.reason ? html`<div class="small">${t.hubSpot.reason}</div>` : ''}</dd>
          <dt>Access token</dt><dd>${tokenExpiry(t.hubSpot)}</dd>
        </dl>
      </div>
      <div>
        <p class="subhead">HubSpot API budget</p>
        ${budget ? budgetRow(`per ${fmt.span(budget.windowSeconds)}`, budget.used, budget.limit, 'calls') : html`<span class="muted">No calls yet</span>`}
      </div>
      <div>
        <p class="subhead">Sync health</p>
        <div class="health">
          <div class="stat good" data-health="inSync"><b>${fmt.int(health.inSync)}</b>in sync</div>
          <div class="stat" data-health="excluded"><b>${fmt.int(health.excluded)}</b>excluded</div>
          <div class="stat ${health.failing > 0 ? 'bad' : ''}" data-health="failing"><b>${fmt.int(health.failing)}</b>failing</div>
        </div>
      </div>
    </div>
    ${accounts.length === 0 ? empty('No QuickBooks company connected', 'Connect one from the tenant’s settings in HubSpot.') : accounts.map(a => renderAccount(t, a))}
    <div class="section-block">
      <p class="subhead">Failures</p>
      ${(health.failures ?? []).length === 0 ? html`<div class="muted">Nothing is failing.</div>` : html`
      <div class="table-wrap"><table>
        <thead><tr><th>Record</th><th>Category</th><th>Detail</th><th>Since</th><th></th></tr></thead>
        <tbody>${health.failures.map(f => html`
          <tr data-record="${f.record}">
            <td class="nowrap">${f.record}</td>
            <td>${badge(words(f.category), 'amber')}</td>
            <td class="small wrap-anywhere">${f.detail}</td>
            <td>${ago(f.since, 'unknown')}</td>
            <td class="nowrap">${f.retry ? html`<button type="button" class="btn small" data-action="retry" data-portal="${t.portalId}" data-kind="${f.retry.kind}" data-target="${f.retry.target}">${retryLabel(f.retry.kind)}</button>` : ''}</td>
          </tr>`)}
        </tbody>
      </table></div>`}
    </div>
  </article>`;
}

/**
 * Whether the tenant's sync health still lists the record after its retry. A retry can be done and fail again — a deal
 * whose write HubSpot refuses once more —: that is no success to show in green.
 */
async function stillFailing(portal, record) {
  if (!record) return false;
  try {
    const tenants = await api('api/tenants');
    return tenants.some(t => String(t.portalId) === portal && (t.health?.failures ?? []).some(f => f.record === record));
  } catch {
    return false; // the refresh that follows shows whatever is true
  }
}

function retryLabel(kind) {
  return { resync: 'Retry: resync', 'deal-properties': 'Retry: rewrite deal', 'dead-letter': 'Retry: replay', reconnect: 'Retry: reconnect' }[kind] ?? 'Retry';
}

function renderAccount(tenant, a) {
  const q = a.quickBooksBudget;
  const sync = a.sync ?? {};
  const last = sync.lastResync;
  return html`
  <div class="account" data-realm="${a.realmId}">
    <div class="account-head">
      <div><h3>${a.companyName || 'QuickBooks company'}</h3><div class="muted small mono">realm ${a.realmId}</div></div>
      <div class="toolbar">${connectionBadge(a.connection)}<span class="small">${tokenExpiry(a.connection)}</span></div>
    </div>
    ${a.connection?.reason ? html`<p class="small" style="margin:0 0 8px;color:var(--red)">${a.connection.reason}</p>` : ''}
    <div class="account-body">
      <div>
        <p class="subhead">QuickBooks API budget</p>
        ${q ? [
          budgetRow('per minute', q.usedLastMinute, q.perMinute),
          budgetRow('per second', q.usedLastSecond, q.perSecond),
          budgetRow('in flight', q.inFlight, q.concurrent),
        ] : html`<span class="muted">No calls yet</span>`}
      </div>
      <div>
        <p class="subhead">Last resync</p>
        ${last ? html`
          <dl class="kv">
            <dt>When</dt><dd>${ago(last.startedAt)}</dd>
            <dt>Took</dt><dd>${fmt.span(spanSeconds(last.duration))}${last.method ? html` <span class="muted">· ${words(last.method)}</span>` : ''}</dd>
            <dt>Repaired</dt><dd>${fmt.int(last.repaired)} of ${fmt.int(last.examined)} examined</dd>
            ${last.error ? html`<dt>Error</dt><dd style="color:var(--red)">${last.error}</dd>` : ''}
          </dl>
          ${(last.repairedItems ?? []).length ? html`<ul class="repaired">${last.repairedItems.slice(0, 5).map(i => html`<li>${i}</li>`)}${last.repairedItems.length > 5 ? html`<li>and ${fmt.int(last.repairedItems.length - 5)} more</li>` : ''}</ul>` : ''}`
          : html`<span class="muted">Not yet</span>`}
        <dl class="kv" style="margin-top:8px">
          <dt>Invoices followed</dt><dd>${fmt.int(sync.followedInvoices ?? 0)}</dd>
          <dt>Changes read up to</dt><dd>${sync.cursor ? ago(sync.cursor) : html`<span class="muted">–</span>`}</dd>
        </dl>
      </div>
    </div>
  </div>`;
}

async function retry(button) {
  const { portal, kind, target } = button.dataset;
  const record = button.closest('tr[data-record]')?.dataset.record;
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Retrying…';
  try {
    const result = await api(`api/tenants/${encodeURIComponent(portal)}/retry`, { method: 'POST', body: { kind, target } });
    if (result?.done === false) toast('A person must act', result.detail || '', 'info');
    else if (await stillFailing(portal, record)) toast('Still failing', result?.detail || '', 'error');
    else toast('Retried', result?.detail || 'Done.', 'success');
  } catch (error) {
    problemToast(error, 'Retry failed');
  }
  button.disabled = false;
  button.textContent = label;
  refreshSoon();
}

// ---------------------------------------------------------------------------------------------------------------
// Invoices

const invoiceView = { q: '', portalId: '', results: null, searching: false, selected: null, detail: null, flash: new Set() };
const invoiceKey = i => `${i.portalId}/${i.realmId}/${i.invoiceId}`;

async function refreshInvoices() {
  if (knownTenants === null) {
    try { rememberTenants(await api('api/tenants')); } catch (error) { if (error.status === 401) throw error; }
  }
  const query = new URLSearchParams({ q: invoiceView.q });
  if (invoiceView.portalId) query.set('portalId', invoiceView.portalId);
  const searched = { q: invoiceView.q, portalId: invoiceView.portalId };
  const [results, detail] = await Promise.all([
    api(`api/invoices?${query}`),
    invoiceView.selected ? api(`api/invoices/${invoiceView.selected.split('/').map(encodeURIComponent).join('/')}`).catch(error => {
      if (error.status === 404) return null;
      throw error;
    }) : Promise.resolve(null),
  ]);
  if (searched.q !== invoiceView.q || searched.portalId !== invoiceView.portalId) return; // a newer search is on its way
  invoiceView.results = results;
  invoiceView.searching = false;
  invoiceView.detail = detail;
  renderInvoices();
}

function renderInvoices() {
  const results = invoiceView.results ?? [];
  document.getElementById('invoice-count').textContent = invoiceView.searching ? 'Searching…'
    : results.length ? `${results.length}${results.length >= 50 ? '+' : ''} ${results.length === 1 ? 'invoice' : 'invoices'}` : '';
  put('invoice-results', invoiceView.results === null ? html`<div class="loading">Searching…</div>` : results.length === 0
    ? empty(invoiceView.q ? `No invoice matches “${invoiceView.q}”` : 'No invoices yet', invoiceView.q ? 'Search by invoice number, a deal id, or part of the customer’s name.' : 'Invoices appear here once a deal has one.')
    : html`
    <div class="table-wrap"><table>
      <thead><tr><th>Invoice</th><th>Customer</th><th>Status</th><th class="num">Total</th><th class="num">Balance</th><th class="optional">Due</th><th class="optional">Linked to</th><th class="optional">Updated</th></tr></thead>
      <tbody>${results.map(i => {
        const key = invoiceKey(i);
        return html`
        <tr class="clickable ${key === invoiceView.selected ? 'selected' : ''} ${invoiceView.flash.has(key) ? 'flash' : ''}" data-action="open-invoice" data-invoice="${key}" tabindex="0">
          <td><b>${i.docNumber || `#${i.invoiceId}`}</b><div class="muted small nowrap" title="QuickBooks company ${i.realmId}">Portal ${i.portalId}</div></td>
          <td>${i.customerName || html`<span class="muted">–</span>`}</td>
          <td>${invoiceBadge(i.status, i.statusLabel)}</td>
          <td class="num">${fmt.money(i.totalAmt, i.currency)}</td>
          <td class="num">${fmt.money(i.balance, i.currency)}</td>
          <td class="nowrap optional">${fmt.date(i.dueDate)}</td>
          <td class="optional">${(i.linkedTo ?? []).map(r => html`<span class="tag">${recordLabel(r)}</span>`)}</td>
          <td class="optional">${ago(i.lastUpdated)}</td>
        </tr>`;
      })}</tbody>
    </table></div>`);
  invoiceView.flash.clear();

  const panel = document.getElementById('invoice-detail-panel');
  panel.hidden = !invoiceView.selected;
  document.querySelector('.invoice-layout').classList.toggle('with-detail', Boolean(invoiceView.selected));
  if (invoiceView.selected) put('invoice-detail', invoiceView.detail ? renderInvoiceDetail(invoiceView.detail) : html`<div class="detail-head"><h2>Invoice</h2><button type="button" class="btn small" data-action="close-invoice">Close</button></div>${empty('This invoice is not followed', 'It may have been unlinked from every record.')}`);
}

function renderInvoiceDetail(view) {
  const summary = view.summary ?? {};
  const s = summary.snapshot ?? {};
  const history = [...(view.history ?? [])].sort((a, b) => (toTime(b.at) ?? 0) - (toTime(a.at) ?? 0));
  const paid = (s.totalAmt ?? 0) - (s.balance ?? 0);
  return html`
    <div class="detail-head" data-invoice-detail="${summary.portalId}/${s.realmId}/${s.invoiceId}">
      <div>
        <h2>Invoice ${s.docNumber || `#${s.invoiceId}`} ${invoiceBadge(summary.status)}</h2>
        <div class="muted small">${s.customerName || 'No customer'}${s.billEmail ? ` · ${s.billEmail}` : ''} · realm ${s.realmId} · portal ${summary.portalId}</div>
      </div>
      <button type="button" class="btn small" data-action="close-invoice">Close</button>
    </div>
    <div class="amounts">
      <div><span>Total</span><b>${fmt.money(s.totalAmt, s.currency)}</b></div>
      <div><span>Paid</span><b>${fmt.money(paid, s.currency)}</b></div>
      <div><span>Balance</span><b>${fmt.money(s.balance, s.currency)}</b></div>
    </div>
    <div class="section-block">
      <dl class="kv">
        <dt>Invoice date</dt><dd>${fmt.date(s.txnDate)}</dd>
        <dt>Due date</dt><dd>${fmt.date(s.dueDate)}</dd>
        <dt>Email</dt><dd>${words(s.emailStatus) || '–'}</dd>
        <dt>Overdue check</dt><dd>${view.overdueCheckAt ? html`${fmt.dateTime(view.overdueCheckAt)} · ${ago(view.overdueCheckAt)}` : html`<span class="muted">none scheduled</span>`}</dd>
        <dt>Last changed in QuickBooks</dt><dd>${ago(s.lastUpdated)}</dd>
        <dt>Linked to</dt><dd>${(summary.linkedTo ?? []).length ? summary.linkedTo.map(r => html`<span class="tag">${recordLabel(r)}</span>`) : html`<span class="muted">nothing</span>`}</dd>
      </dl>
    </div>
    <div class="section-block" style="padding-bottom:0"><p class="subhead">History</p></div>
    ${history.length === 0 ? empty('No history yet') : html`<ol class="timeline">${history.map(h => html`
      <li>
        <div class="when">${fmt.dateTime(h.at)} · ${ago(h.at)}</div>
        <div class="what">${h.what}</div>
        <div class="small"><span class="tag">${words(h.cause?.kind)}</span>${h.cause?.detail}</div>
        ${(h.changes ?? []).length ? html`<table class="changes"><tbody>${h.changes.map(c => html`
          <tr><td class="muted">${fieldName(c.field)}</td><td class="before">${fieldValue(c.field, c.before)}</td><td>→</td><td class="after">${fieldValue(c.field, c.after)}</td></tr>`)}</tbody></table>` : ''}
      </li>`)}</ol>`}`;
}

function openInvoice(key) {
  invoiceView.selected = key;
  invoiceView.detail = null;
  if (location.hash !== `#invoices/${key}`) history.replaceState(null, '', `#invoices/${key}`);
  renderInvoices();
  refreshSoon();
}

function closeInvoice() {
  invoiceView.selected = null;
  invoiceView.detail = null;
  history.replaceState(null, '', '#invoices');
  renderInvoices();
}

/** An invoice's status changed (api/live): show it at once, then read the rest. */
function invoiceChanged(change) {
  const key = invoiceKey(change);
  const row = invoiceView.results?.find(i => invoiceKey(i) === key);
  if (row) {
    row.status = change.after;
    row.statusLabel = invoiceStatuses[change.after]?.[0] ?? words(change.after);
    if (change.balance !== undefined) row.balance = change.balance;
    if (change.totalAmt !== undefined) row.totalAmt = change.totalAmt;
    invoiceView.flash.add(key);
  }
  if (invoiceView.detail && invoiceView.selected === key) invoiceView.detail.summary.status = change.after;
  if (current === 'invoices') {
    renderInvoices();
    refreshSoon();
  }
}

let searchTimer = null;
document.getElementById('invoice-search').addEventListener('submit', event => {
  event.preventDefault();
  search();
});
document.getElementById('invoice-q').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, 300);
});
document.getElementById('invoice-portal').addEventListener('change', search);

function search() {
  clearTimeout(searchTimer);
  invoiceView.q = document.getElementById('invoice-q').value.trim();
  invoiceView.portalId = document.getElementById('invoice-portal').value;
  invoiceView.searching = true; // the rows on screen stay until the answer replaces them
  renderInvoices();
  refreshSoon();
}

// ---------------------------------------------------------------------------------------------------------------
// Logs and silo charts (modules of their own)

const ui = {
  api, html, put, escape, fmt, badge, empty, ago, toTime, timeChart, serverNow, siloName, siloColour, refreshSoon, loadOverview,
  silos: () => overview?.silos ?? [],
};
const logView = createLogView(ui);
const siloHistory = createSiloHistory(ui);

// ---------------------------------------------------------------------------------------------------------------
// Sections and the refresh loop

const sections = {
  cluster: async () => { await refreshCluster(); await siloHistory.refresh(); },
  grains: refreshGrains,
  reminders: refreshReminders,
  inbox: refreshInbox,
  tenants: refreshTenants,
  invoices: refreshInvoices,
  logs: logView.refresh,
};
let current = null;
let timer = null;
let running = false;
let again = false;
let failing = false;

function show(route) {
  const [name, ...rest] = (route || 'cluster').split('/');
  const section = sections[name] ? name : 'cluster';
  if (section === 'invoices' && rest.length === 3) {
    invoiceView.selected = rest.join('/');
  }
  if (section === 'cluster') siloHistory.select(rest.length ? decodeURIComponent(rest.join('/')) : null);
  for (const element of document.querySelectorAll('main > section')) element.hidden = element.dataset.section !== section;
  for (const link of document.querySelectorAll('.sidebar a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${section[0].toUpperCase()}${section.slice(1)} · OrleansSync dashboard`;
  if (section === 'invoices') renderInvoices();
  if (current !== section) {
    current = section;
    refreshSoon();
  }
}

/** Refreshes the section on screen now, or as soon as the refresh under way ends. */
function refreshSoon() {
  if (running) { again = true; return; }
  clearTimeout(timer);
  timer = setTimeout(refresh, 0);
}

async function refresh() {
  timer = null;
  if (signedOut) return;
  if (document.visibilityState !== 'visible') { setLive('paused'); return; }
  running = true;
  again = false;
  try {
    await sections[current]();
    failing = false;
    setLive('live');
  } catch (error) {
    if (!signedOut) {
      setLive('offline', error.status === 0 ? 'Offline' : 'Trouble');
      if (!failing) problemToast(error, 'The dashboard could not refresh');
      failing = true;
    }
  } finally {
    running = false;
  }
  if (signedOut) return;
  clearTimeout(timer);
  timer = setTimeout(refresh, again ? 0 : POLL_MS);
}

// Server-sent events: invoice status changes at once, and the server's clock.
let live = null;

function startLive() {
  if (live || signedOut || typeof EventSource === 'undefined') return;
  live = new EventSource(new URL('api/live', base));
  live.addEventListener('invoice', event => {
    try {
      invoiceChanged(JSON.parse(event.data));
    } catch {
      // A malformed event changes nothing; the next refresh shows the truth.
    }
  });
  live.addEventListener('tick', event => {
    try { noteServerTime(JSON.parse(event.data).now); } catch { /* the next tick will do */ }
  });
  // EventSource reconnects by itself; when the server refuses (signed out), polling's 401 shows the sign-in prompt.
}

function stopLive() {
  if (live) live.close();
  live = null;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    startLive();
    refreshSoon();
  } else {
    clearTimeout(timer);
    timer = null;
    stopLive();
    setLive('paused');
  }
});

document.addEventListener('click', event => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  switch (target.dataset.action) {
    case 'toggle-type':
      if (expandedTypes.has(target.dataset.type)) expandedTypes.delete(target.dataset.type);
      else expandedTypes.add(target.dataset.type);
      refreshSoon();
      break;
    case 'reminder-page':
      reminderView.skip = Math.max(0, +target.dataset.skip);
      refreshSoon();
      break;
    case 'replay':
      replay(target);
      break;
    case 'retry':
      retry(target);
      break;
    case 'open-invoice':
      openInvoice(target.dataset.invoice);
      break;
    case 'close-invoice':
      closeInvoice();
      break;
  }
});

document.addEventListener('keydown', event => {
  if (event.key === 'Enter' && event.target.matches?.('tr[data-action="open-invoice"]')) openInvoice(event.target.dataset.invoice);
});

document.getElementById('reminder-filter').addEventListener('click', event => {
  const button = event.target.closest('button[data-filter]');
  if (!button) return;
  reminderView.filter = button.dataset.filter;
  reminderView.skip = 0;
  for (const b of document.querySelectorAll('#reminder-filter button')) b.setAttribute('aria-pressed', String(b === button));
  refreshSoon();
});

window.addEventListener('hashchange', () => show(location.hash.slice(1)));
setInterval(() => { if (document.visibilityState === 'visible') updateTimes(); }, 1000);

// The key in the address has done its work (the server turned it into a cookie): keep it out of history and bookmarks.
if (new URLSearchParams(location.search).has('key')) {
  const clean = new URL(location.href);
  clean.searchParams.delete('key');
  history.replaceState(null, '', clean);
}

/** Loads the page's data: at first, and again once signed in. */
async function start() {
  try {
    await loadOverview();
  } catch (error) {
    if (error.status === 401) return;
    problemToast(error, 'The dashboard could not load');
  }
  if (document.visibilityState === 'visible') startLive();
  show(location.hash.slice(1));
  refreshSoon(); // the section on screen, even when it was on screen before the sign-in
}

start();
