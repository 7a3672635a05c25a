// The Reports and Variants pages' script (issue 17.2, 17.5): it reads the
// console's JSON (console/reports.hpp) and draws tables and SVG bar charts
// with DOM calls only, no library, nothing from another origin and no inline
// code or style, so the console's Content-Security-Policy holds (SVG
// geometry is attributes, colours come from the stylesheet).
#include "console/page.hpp"

namespace sb::console {

namespace {

constexpr std::string_view script = R"JS(
'use strict';
const SVG = 'http://www.w3.org/2000/svg';
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const pct = x => (100 * x).toFixed(1) + '%';
const page = document.body.dataset.page;

function svgEl(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

// A bar chart: one group (g.group, data-label) per item, one rect per
// series in it (class "bar bar-<key>", data-value), each with a <title>
// saying what it is. Heights are value / the largest value * plotHeight.
const plotHeight = 150;
function barChart(box, items, label, series, format) {
  box.textContent = '';
  const values = items.flatMap(it => series.map(s => Math.max(0, s.value(it))));
  const max = Math.max(0, ...values);
  const group = 14 * series.length + 18, left = 56, top = 14;
  const width = Math.max(360, left + items.length * group + 16);
  const svg = svgEl('svg', { width, height: top + plotHeight + 34, role: 'img',
    'data-max': max, viewBox: `0 0 ${width} ${top + plotHeight + 34}` }, box);
  svgEl('line', { class: 'axis', x1: left - 4, y1: top + plotHeight, x2: width - 8, y2: top + plotHeight }, svg);
  svgEl('text', { x: left - 8, y: top + 4, 'text-anchor': 'end' }, svg).textContent = format(max);
  svgEl('text', { x: left - 8, y: top + plotHeight, 'text-anchor': 'end' }, svg).textContent = format(0);
  items.forEach((it, i) => {
    const g = svgEl('g', { class: 'group', 'data-label': label(it) }, svg);
    const x0 = left + i * group;
    series.forEach((s, k) => {
      const v = Math.max(0, s.value(it));
      const h = max > 0 ? v / max * plotHeight : 0;
      const bar = svgEl('rect', { class: 'bar bar-' + s.key, x: x0 + k * 14, y: (top + plotHeight - h).toFixed(2),
        width: 12, height: h.toFixed(2), 'data-value': v }, g);
      svgEl('title', {}, bar).textContent = label(it) + ': ' + s.title(it);
    });
    svgEl('text', { x: x0 + 7 * series.length, y: top + plotHeight + 14, 'text-anchor': 'middle' }, g)
      .textContent = label(it).length === 10 ? label(it).slice(5) : label(it);
  });
  return svg;
}

function legend(box, entries) {
  const p = document.createElement('p');
  p.className = 'legend';
  p.innerHTML = entries.map(([cls, text]) => `<i class="${cls}"></i>${esc(text)}`).join('');
  box.prepend(p);
}

function table(box, headers, rows) {
  box.innerHTML = '<table><tr>' + headers.map(h => `<th class="${h[1] || ''}">${esc(h[0])}</th>`).join('') + '</tr>' +
    rows.map(r => '<tr>' + r.map((c, i) => `<td class="${headers[i][1] || ''}">${esc(c)}</td>`).join('') + '</tr>').join('') +
    '</table>';
}

async function getJson(url) {
  const r = await fetch(url);
  if (r.status === 401) { location.reload(); throw new Error('logged out'); }
  if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || ('HTTP ' + r.status));
  return r.json();
}

function showError(e) {
  const el = document.getElementById('load-error');
  el.textContent = 'Could not load: ' + e.message;
  el.classList.remove('hidden');
}

// -- Reports --------------------------------------------------------------------
function drawReport(rep) {
  const rows = rep.rows;
  document.getElementById('no-data').classList.toggle('hidden', rows.length > 0);
  const period = r => r.period;
  const ms = v => v < 0 ? 'none' : v + ' ms';
  const calls = document.getElementById('chart-calls');
  barChart(calls, rows, period, [
    { key: 'calls', value: r => r.calls, title: r => r.calls + ' calls' },
    { key: 'booked', value: r => r.booked, title: r => r.booked + ' booked' }], v => String(v));
  legend(calls, [['calls', 'calls'], ['booked', 'booked']]);
  const lat = document.getElementById('chart-latency');
  barChart(lat, rows, period, [
    { key: 'median', value: r => r.latencyMedianMs, title: r => 'median ' + ms(r.latencyMedianMs) },
    { key: 'p95', value: r => r.latencyP95Ms, title: r => 'p95 ' + ms(r.latencyP95Ms) }], v => v + ' ms');
  legend(lat, [['median', 'median'], ['p95', 'p95']]);
  barChart(document.getElementById('chart-cost'), rows, period, [
    { key: 'cost', value: r => r.costUsd, title: r => '$' + r.costUsd.toFixed(4) }], v => '$' + v.toFixed(2));
  table(document.getElementById('report-table'),
    [['period'], ['calls', 'num'], ['answered by AI', 'num'], ['booked', 'num'], ['transferred', 'num'],
     ['voicemails', 'num'], ['abandoned', 'num'], ['median ms', 'num'], ['p95 ms', 'num'], ['tokens', 'num'], ['cost $', 'num']],
    rows.map(r => [r.period, r.calls, r.answered, r.booked, r.transferred, r.voicemails, r.abandoned,
      r.latencyMedianMs < 0 ? '-' : r.latencyMedianMs, r.latencyP95Ms < 0 ? '-' : r.latencyP95Ms, r.tokens, r.costUsd.toFixed(4)]));
}

// -- Variants -------------------------------------------------------------------
function drawVariants(v) {
  const list = v.variants;
  document.getElementById('no-data').classList.toggle('hidden', list.length > 0);
  const name = x => x.name || '(none)';
  table(document.getElementById('variants-table'),
    [['variant'], ['status'], ['weight', 'num'], ['calls', 'num'], ['booked', 'num'], ['booking rate', 'num'],
     ['95% interval', 'num'], ['transferred', 'num'], ['voicemails', 'num'], ['mean s', 'num'],
     ['latency ms', 'num'], ['barge-ins/call', 'num'], ['$/call', 'num']],
    list.map(x => [name(x), x.status, x.weight === null ? '-' : `${x.weight} (${pct(x.share)})`, x.calls, x.booked,
      pct(x.bookingRate), pct(x.ci95Low) + ' – ' + pct(x.ci95High), x.transferred, x.voicemails,
      x.meanDurationS.toFixed(1), x.meanLatencyMs < 0 ? '-' : x.meanLatencyMs, x.bargeInsPerCall.toFixed(2),
      x.costPerCallUsd.toFixed(4)]));
  document.querySelectorAll('#variants-table tr').forEach((tr, i) => {
    if (i > 0) { tr.className = 'variant'; tr.dataset.name = list[i - 1].name; tr.cells[1].className = 'status-' + list[i - 1].status; }
  });
  // Rates on a fixed 0..100% scale, each with its interval as a line.
  const svg = barChart(document.getElementById('chart-variants'), list, name, [
    { key: 'rate', value: x => x.bookingRate,
      title: x => `${pct(x.bookingRate)} booked of ${x.calls} calls (95% interval ${pct(x.ci95Low)} – ${pct(x.ci95High)})` }],
    pct);
  const max = Number(svg.dataset.max);
  svg.querySelectorAll('g.group').forEach((g, i) => {
    const bar = g.querySelector('rect');
    const scale = max > 0 ? plotHeight / max : 0, base = 14 + plotHeight, cx = Number(bar.getAttribute('x')) + 6;
    svgEl('line', { class: 'ci', x1: cx, x2: cx, y1: (base - Math.min(list[i].ci95High, max) * scale).toFixed(2),
      y2: (base - Math.min(list[i].ci95Low, max) * scale).toFixed(2) }, g);
  });
}

// -- both -----------------------------------------------------------------------
async function load() {
  const tenant = document.getElementById('tenant').value;
  if (!tenant) return;
  const q = '?tenant=' + encodeURIComponent(tenant);
  document.getElementById('load-error').classList.add('hidden');
  try {
    if (page === 'reports') {
      const per = document.getElementById('per').value;
      drawReport(await getJson('/console/api/report' + q + '&per=' + per));
    } else {
      drawVariants(await getJson('/console/api/variants' + q));
    }
    document.querySelector('main').dataset.loaded = tenant;
  } catch (e) { showError(e); }
}

async function start() {
  const select = document.getElementById('tenant');
  try {
    const tenants = await getJson('/console/api/tenants');
    select.innerHTML = tenants.map(t => `<option value="${esc(t.number)}">${esc(t.name)} (${esc(t.number)})</option>`).join('');
    const asked = new URLSearchParams(location.search).get('tenant');
    if (asked && tenants.some(t => t.number === asked)) select.value = asked;
    if (!tenants.length) document.getElementById('no-data').classList.remove('hidden');
  } catch (e) { showError(e); return; }
  document.querySelectorAll('select').forEach(s => s.addEventListener('change', load));
  load();
}
start();
)JS";

} // namespace

std::string_view reports_script() {
  return script;
}

} // namespace sb::console
