// The Logs section: the silos' log lines, live (the Orleans Dashboard's log stream, for the whole cluster).
//
// Each silo keeps its last lines only while someone has the dashboard open (api/logs says since when). The page asks
// for what is new every 2 seconds while the section is on screen — the answer's cursor says where each silo had got
// to — and appends it: newest last, at most MAX_LINES kept on screen. Changing a filter starts over from the newest
// lines that match. Paused, the page asks for nothing; resumed, it catches up from where it stopped.
//
// dashboard.js hands in its helpers (ui): this module only adds the section.

const MAX_LINES = 1000;
const FIRST_TAKE = 200;
const LEVELS = ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical'];
const levelColours = { Trace: 'grey', Debug: 'grey', Information: 'blue', Warning: 'amber', Error: 'red', Critical: 'red critical' };
const levelWords = { Trace: 'Trace', Debug: 'Debug', Information: 'Info', Warning: 'Warning', Error: 'Error', Critical: 'Critical' };

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });

export function createLogView(ui) {
  const { api, html, put, fmt, badge, empty, ago, escape, siloName, siloColour, silos, refreshSoon } = ui;
  const view = {
    level: 'Information',
    q: '',
    silo: '',
    paused: false,
    cursor: null,      // where each silo had got to, for the filters below
    filters: null,     // the filters the lines on screen were read with
    count: 0,          // lines on screen
    skipped: 0,        // lines the silos dropped before the page could read them, since the filters last changed
    collectingSince: null,
    problems: [],
    loaded: false,
  };

  const list = () => document.getElementById('log-lines');
  const scroller = () => document.getElementById('log-scroll');
  const filtersNow = () => `${view.level}|${view.q}|${view.silo}`;

  function levelBadge(level) {
    return badge(levelWords[level] ?? level, levelColours[level] ?? 'grey', `data-level="${escape(level)}"`);
  }

  function shortCategory(category) {
    const parts = String(category ?? '').split('.');
    return parts[parts.length - 1] || category;
  }

  function row(line) {
    const t = ui.toTime(line.at);
    return html`
      <tr data-seq="${line.sequence}" data-silo="${line.siloId}" data-level="${line.level}" class="log-${String(line.level).toLowerCase()}">
        <td class="nowrap mono log-time" title="${fmt.dateTime(t)}">${t === null ? '–' : timeOfDay.format(new Date(t))}</td>
        <td>${levelBadge(line.level)}</td>
        <td class="nowrap log-silo"><span class="swatch" style="background:${siloColour(line.siloId)}"></span> ${siloName(line.siloId)}</td>
        <td class="log-category" title="${line.category}${line.eventName ? ` · ${line.eventName}` : ''}${line.eventId ? ` (${line.eventId})` : ''}">${shortCategory(line.category)}</td>
        <td class="log-message">${line.message}${line.exception ? html`<div class="log-exception mono">${line.exception}</div>` : ''}</td>
      </tr>`;
  }

  function gap(count) {
    return html`<tr class="log-gap"><td colspan="5">${fmt.int(count)} ${count === 1 ? 'line' : 'lines'} not shown: logged faster than the page read them (each silo keeps its last lines only).</td></tr>`;
  }

  function startOver() {
    view.cursor = null;
    view.filters = filtersNow();
    view.count = 0;
    view.skipped = 0;
    view.loaded = false;
    const body = list();
    if (body) body.replaceChildren();
  }

  function append(data, first) {
    const body = list();
    const box = scroller();
    if (!body || !box) return;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    const entries = data.entries ?? [];
    let markup = '';
    if (!first && data.skipped > 0) markup += gap(data.skipped).toString();
    for (const line of entries) markup += row(line).toString();
    if (markup) body.insertAdjacentHTML('beforeend', markup);
    view.count += entries.length;
    while (body.children.length > MAX_LINES) {
      if (body.firstElementChild.dataset.seq) view.count--;
      body.firstElementChild.remove();
    }
    if (entries.length && (atBottom || first)) box.scrollTop = box.scrollHeight;
  }

  function renderStatus() {
    const pause = document.getElementById('log-pause');
    pause.textContent = view.paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(view.paused));
    pause.classList.toggle('primary', view.paused);
    document.getElementById('log-count').textContent = view.paused
      ? `Paused · ${fmt.int(view.count)} ${view.count === 1 ? 'line' : 'lines'}`
      : `${fmt.int(view.count)} ${view.count === 1 ? 'line' : 'lines'}, newest last`;
    put('log-status', view.problems.length
      ? html`<div class="notice">${view.problems.map(p => html`<div>${siloName(p.siloId)}: ${p.problem}</div>`)}</div>`
      : '');
    put('log-since', view.collectingSince
      ? html`Kept since someone opened the dashboard ${ago(view.collectingSince)}; each silo keeps its last ${fmt.int(MAX_LINES)} lines.`
      : '');
    const body = list();
    document.getElementById('log-empty').hidden = !view.loaded || (body && body.children.length > 0);
    put('log-empty', view.q || view.level !== 'Information' || view.silo
      ? empty('No lines match', 'Lines that match the filters appear here as the silos log them.')
      : empty('No log lines yet', 'Lines appear here as the silos log them. Each silo keeps its lines only while someone has the dashboard open.'));
  }

  function renderSiloChoices() {
    const select = document.getElementById('log-silo');
    const known = silos();
    const options = [['', 'All silos'], ...known.map(s => [s.siloId, siloName(s.siloId)])];
    const markup = options.map(([value, label]) => html`<option value="${value}">${label}</option>`).join('');
    if (select.dataset.options !== markup) {
      select.innerHTML = markup;
      select.dataset.options = markup;
      select.value = view.silo;
    }
  }

  let overviewRead = 0;

  async function refresh() {
    // The silo names and colours come from the overview: read again now and then, for silos that joined since.
    if (Date.now() - overviewRead > 30_000) {
      await ui.loadOverview();
      overviewRead = Date.now();
    }
    renderSiloChoices();
    if (view.filters !== filtersNow()) startOver();
    if (view.paused) { renderStatus(); return; }

    const filters = view.filters;
    const first = view.cursor === null;
    const query = new URLSearchParams({ level: view.level, take: String(first ? FIRST_TAKE : MAX_LINES) });
    if (view.q) query.set('q', view.q);
    if (view.silo) query.set('silo', view.silo);
    if (!first) query.set('after', view.cursor);
    const data = await api(`api/logs?${query}`);
    if (view.filters !== filters || view.paused) return; // the filters changed meanwhile: that answer is for other lines

    view.cursor = data.cursor ?? '';
    view.collectingSince = data.collectingSince;
    view.problems = data.problems ?? [];
    if (!first) view.skipped += data.skipped ?? 0;
    view.loaded = true;
    append(data, first);
    renderStatus();
  }

  // The toolbar. Every change shows at once: the next refresh starts over with the new filters.
  let typing = null;
  const level = document.getElementById('log-level');
  level.innerHTML = LEVELS.map(l => html`<option value="${l}">${l === 'Information' ? 'Information and above' : `${l}${l === 'Critical' ? '' : ' and above'}`}</option>`).join('');
  level.value = view.level;
  level.addEventListener('change', () => { view.level = level.value; refreshSoon(); });
  document.getElementById('log-silo').addEventListener('change', event => { view.silo = event.target.value; refreshSoon(); });
  document.getElementById('log-q').addEventListener('input', event => {
    clearTimeout(typing);
    typing = setTimeout(() => { view.q = event.target.value.trim(); refreshSoon(); }, 300);
  });
  document.getElementById('log-filter').addEventListener('submit', event => {
    event.preventDefault();
    clearTimeout(typing);
    view.q = document.getElementById('log-q').value.trim();
    refreshSoon();
  });
  document.getElementById('log-pause').addEventListener('click', () => {
    view.paused = !view.paused;
    renderStatus();
    if (!view.paused) refreshSoon();
  });
  document.getElementById('log-clear').addEventListener('click', () => {
    list()?.replaceChildren();
    view.count = 0;
    renderStatus();
  });

  return { refresh };
}
