// A silo's charts over the last minutes (the Orleans Dashboard's silo page): CPU, memory, activations and grain calls
// per second, in the Cluster section below the silos. Selecting a silo's row opens them (#cluster/{siloId}); they are
// refreshed with the section, every 2 seconds.
//
// Each silo samples itself once per sample interval, only while someone has the dashboard open: where nobody watched,
// the lines have gaps rather than made-up values.
//
// dashboard.js hands in its helpers (ui): this module only adds the panel.

const MIB = 1024 * 1024;

export function createSiloHistory(ui) {
  const { api, html, put, fmt, empty, ago, siloName, siloColour, timeChart, serverNow, toTime } = ui;
  const state = { selected: null, data: null, problem: null };

  function select(siloId) {
    if (state.selected === siloId) return;
    state.selected = siloId || null;
    state.data = null;
    state.problem = null;
    render();
  }

  function toggle(siloId) {
    select(state.selected === siloId ? null : siloId);
    const route = state.selected ? `#cluster/${encodeURIComponent(state.selected)}` : '#cluster';
    if (location.hash !== route) history.replaceState(null, '', route);
    for (const row of document.querySelectorAll('#silos tr[data-silo]')) row.classList.toggle('selected', row.dataset.silo === state.selected);
  }

  async function refresh() {
    const siloId = state.selected;
    if (!siloId) return;
    try {
      const data = await api(`api/silos/${encodeURIComponent(siloId)}/history`);
      if (state.selected !== siloId) return;
      state.data = data;
      state.problem = null;
    } catch (error) {
      if (error.status === 401 || error.status === 0) throw error; // the page's own trouble: signed out, or offline
      if (state.selected !== siloId) return;
      state.data = null;
      state.problem = error.detail || error.title || String(error);
    }
    render();
  }

  /** The samples as chart points, with a gap (null) wherever a sample is missing: nobody watched then. */
  function points(samples, interval, value) {
    const out = [];
    let previous = null;
    for (const sample of samples) {
      const t = toTime(sample.at);
      if (previous !== null && t - previous > interval * 2500) out.push({ t: previous + interval * 1000, v: null });
      out.push({ t, v: value(sample) });
      previous = t;
    }
    return out;
  }

  function render() {
    const panel = document.getElementById('silo-history-panel');
    panel.hidden = !state.selected;
    if (!state.selected) return;
    const id = state.selected;
    document.getElementById('silo-history-title').innerHTML = html`<span class="swatch" style="background:${siloColour(id)}"></span> ${siloName(id)}`.toString();

    if (state.problem) {
      put('silo-history', empty('No history for this silo', state.problem));
      return;
    }
    if (!state.data) {
      put('silo-history', html`<div class="loading">Reading the silo's samples…</div>`);
      return;
    }

    const data = state.data;
    const samples = data.samples ?? [];
    const interval = data.sampleIntervalSeconds || 1;
    const seconds = data.windowSeconds || 300;
    document.getElementById('silo-history-note').textContent = `a sample every ${fmt.span(interval)} while someone watches, kept ${fmt.span(seconds)}`;
    if (samples.length === 0) {
      put('silo-history', empty('No samples yet', 'The silo samples itself every second while someone has the dashboard open; the first appear in a moment.'));
      return;
    }

    // The charts span what has been sampled, in whole minutes, up to the window: a silo just watched shows its first
    // minute at full width, not squeezed against the right edge of five.
    const end = Math.max(serverNow(), toTime(samples[samples.length - 1].at) ?? 0);
    const sampled = (end - (toTime(samples[0].at) ?? end)) / 1000;
    const span = Math.min(seconds, Math.max(60, Math.ceil(sampled / 60) * 60));
    const chart = (title, series, options) => html`
      <div class="silo-chart chart" data-chart="${title}">
        <h3>${title}</h3>
        ${timeChart(series, { end, seconds: span, height: 150, ...options })}
      </div>`;
    const colour = siloColour(id);
    put('silo-history', html`
      <div class="silo-charts">
        ${chart('CPU', [{ name: 'CPU', colour, area: true, points: points(samples, interval, s => s.cpuPercent ?? null) }], { format: fmt.percent, minStep: 5 })}
        ${chart('Memory', [
          { name: 'Working set', colour: '#2f6fdf', area: true, points: points(samples, interval, s => s.memoryBytes / MIB) },
          { name: 'GC heap', colour: '#9457d6', points: points(samples, interval, s => s.gcHeapBytes / MIB) },
        ], { format: v => fmt.bytes(v * MIB), minStep: 1 })}
        ${chart('Activations', [{ name: 'Activations', colour: '#12a37a', area: true, points: points(samples, interval, s => s.activations) }], { format: fmt.int, minStep: 1 })}
        ${chart('Grain calls per second', [{ name: 'Calls/s', colour: '#e58a1f', area: true, points: points(samples, interval, s => s.callsPerSecond) }], { format: fmt.rate, minStep: 1 })}
      </div>
      <p class="silo-history-since muted small">Sampling since ${ago(data.collectingSince, 'a moment ago')}.</p>`);
  }

  document.addEventListener('click', event => {
    const target = event.target.closest('[data-action]');
    if (target?.dataset.action === 'silo-history') {
      toggle(target.dataset.silo);
      ui.refreshSoon();
    } else if (target?.dataset.action === 'close-silo-history') {
      toggle(null);
    }
  });
  document.addEventListener('keydown', event => {
    if (event.key === 'Enter' && event.target.matches?.('tr[data-action="silo-history"]')) {
      toggle(event.target.dataset.silo);
      ui.refreshSoon();
    }
  });

  return { refresh, select, get selected() { return state.selected; } };
}
