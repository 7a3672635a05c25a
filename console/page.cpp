#include "console/page.hpp"

#include "protocol/twiml.hpp" // xml_escape: the same five entities serve HTML text

namespace sb::console {

namespace {

// One stylesheet for both pages.
constexpr std::string_view style = R"CSS(
:root { --bg:#0f1419; --panel:#182029; --line:#263241; --text:#d8e0e8; --dim:#8696a7;
  --ok:#3fb950; --warn:#d29922; --bad:#f85149; --accent:#58a6ff; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.45 system-ui, sans-serif; }
header { display:flex; align-items:center; gap:16px; padding:12px 20px; border-bottom:1px solid var(--line); }
header h1 { font-size:18px; margin:0; }
.dot { width:10px; height:10px; border-radius:50%; background:var(--bad); display:inline-block; }
.dot.live { background:var(--ok); }
main { padding:16px 20px; display:grid; gap:16px; }
h2 { font-size:15px; margin:4px 0; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; }
.call, .job-card, .login { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:14px; }
.call-head { display:flex; flex-wrap:wrap; gap:18px; align-items:baseline; }
.call-head .who { font-size:16px; font-weight:600; }
.kv { color:var(--dim); } .kv b { color:var(--text); font-weight:600; }
.state { padding:1px 8px; border-radius:10px; background:#1f6feb33; color:var(--accent); }
.grid { display:grid; grid-template-columns: minmax(360px, 1fr) minmax(300px, 1fr); gap:14px; margin-top:10px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:3px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; }
td.err { color:var(--bad); white-space:normal; max-width:220px; }
.down { color:var(--bad); } .alive { color:var(--ok); }
.transcript { max-height:320px; overflow-y:auto; font-size:13px; border:1px solid var(--line); border-radius:6px; padding:6px; }
.line { padding:2px 0; } .line .who { font-weight:600; margin-right:6px; }
.line.caller .who { color:#d2a8ff; } .line.assistant .who { color:var(--accent); }
.line.barge_in, .line.tool, .line.event { color:var(--dim); font-style:italic; }
.unheard { color:var(--dim); text-decoration:line-through; margin-left:4px; }
.lat { font-size:11px; padding:0 6px; border-radius:8px; background:#3fb95022; color:var(--ok); margin-left:6px; }
button { background:#da3633; color:#fff; border:0; border-radius:6px; padding:6px 12px; cursor:pointer; font-weight:600; }
button:disabled { opacity:.5; cursor:default; }
button.transfer-call { background:#1f6feb; margin-right:6px; }
.booking td:first-child { color:var(--dim); }
.empty { color:var(--dim); font-style:italic; }
.login { max-width:380px; margin:80px auto; }
.login input { width:100%; padding:8px; margin:8px 0; background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:6px; }
.login button { background:#238636; width:100%; }
.error { color:var(--bad); }
#logout { margin-left:auto; }
#logout button { background:#30363d; }
.hidden { display:none; }
nav a { color:var(--dim); text-decoration:none; margin-right:12px; }
body[data-page=calls] nav a[data-page=calls], body[data-page=reports] nav a[data-page=reports],
body[data-page=variants] nav a[data-page=variants] { color:var(--text); border-bottom:2px solid var(--accent); }
.controls { display:flex; gap:18px; align-items:center; flex-wrap:wrap; }
select { background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:6px; padding:4px 6px; }
.chart { overflow-x:auto; }
.chart svg { background:var(--panel); border:1px solid var(--line); border-radius:8px; }
.chart text { fill:var(--dim); font-size:11px; }
.chart .axis { stroke:var(--line); }
.bar-calls { fill:var(--accent); } .bar-booked { fill:var(--ok); }
.bar-median { fill:#d2a8ff; } .bar-p95 { fill:var(--warn); } .bar-cost { fill:#39c5cf; }
.bar-rate { fill:var(--ok); } .ci { stroke:var(--text); stroke-width:2; }
.legend { font-size:12px; color:var(--dim); margin:2px 0 6px; }
.legend i { display:inline-block; width:10px; height:10px; margin:0 4px 0 10px; }
.legend i.calls { background:var(--accent); } .legend i.booked { background:var(--ok); }
.legend i.median { background:#d2a8ff; } .legend i.p95 { background:var(--warn); }
td.num, th.num { text-align:right; }
.lease-live { color:var(--ok); } .lease-expired { color:var(--bad); }
.lease-none, .lease-unknown { color:var(--dim); } tr.self td:first-child { font-weight:600; }
#cluster-calls { margin-top:8px; } #cluster-calls a { color:var(--accent); }
.status-live { color:var(--ok); } .status-retired, .status-none { color:var(--dim); }
)CSS";

// The header every page shares: the title, the pages, then the page's own
// status, then logging out. A link per page; the live page is the feed's.
constexpr std::string_view header_start = R"HTML(
<header>
  <h1>Switchboard console</h1>
  <nav><a href="/console" data-page="calls">Live calls</a> <a href="/console/reports"
    data-page="reports">Reports</a> <a href="/console/variants" data-page="variants">Variants</a></nav>
)HTML";

constexpr std::string_view header_end = R"HTML(
  <form id="logout" method="post" action="/console/logout"><button>Log out</button></form>
</header>
)HTML";

constexpr std::string_view calls_body = R"HTML(
  <span><span id="feed-dot" class="dot"></span> <span id="feed-status">connecting…</span></span>
  <span class="kv">active calls <b id="active-count">0</b></span>
  <span class="kv">nodes <b id="node-count">-</b></span>
)HTML";

constexpr std::string_view calls_main = R"HTML(
<main>
  <h2>Active calls</h2>
  <div id="calls"><p class="empty" id="no-calls">No active calls.</p></div>
  <h2>Cluster: every node and its live calls</h2>
  <p class="error hidden" id="cluster-error"></p>
  <div id="cluster-nodes"><p class="empty">Loading…</p></div>
  <div id="cluster-calls"></div>
  <h2>Recent calls</h2>
  <div id="finished"><p class="empty">None yet.</p></div>
</main>
)HTML";

constexpr std::string_view reports_main = R"HTML(
<main id="reports-page">
  <div class="controls"><label>Tenant <select id="tenant"></select></label>
    <label>Per <select id="per"><option value="day">day</option><option value="week">week (from Monday)</option></select></label>
    <span class="kv">UTC; the same figures as <code>switchboard report</code></span></div>
  <p class="empty hidden" id="no-data">No calls for this tenant yet.</p>
  <p class="error hidden" id="load-error"></p>
  <h2>Calls and bookings</h2><div class="chart" id="chart-calls"></div>
  <h2>Turn latency, median and p95 (ms)</h2><div class="chart" id="chart-latency"></div>
  <h2>Cost (USD)</h2><div class="chart" id="chart-cost"></div>
  <h2>Figures</h2><div id="report-table"></div>
</main>
)HTML";

constexpr std::string_view variants_main = R"HTML(
<main id="variants-page">
  <div class="controls"><label>Tenant <select id="tenant"></select></label>
    <span class="kv">all calls; the same figures as <code>switchboard report --by variant</code></span></div>
  <p class="empty hidden" id="no-data">No variants and no calls for this tenant yet.</p>
  <p class="error hidden" id="load-error"></p>
  <h2>Variants</h2><div id="variants-table"></div>
  <h2>Booking rate with its 95% interval</h2><div class="chart" id="chart-variants"></div>
</main>
)HTML";

constexpr std::string_view script = R"JS(
'use strict';
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const dur = ms => { const s = Math.floor(ms / 1000); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); };
const usd = x => '$' + x.toFixed(4);
const tokens = u => u.inputAudio + u.inputText + u.outputAudio + u.outputText;
let clockSkew = 0;

function bookingTable(b) {
  const rows = [['Name', b.customerName], ['Phone', b.callbackPhone], ['Service', b.service],
    ['Address', b.address], ['When', (b.preferredDate + ' ' + b.preferredTime).trim()],
    ['Urgency', b.urgency], ['Notes', b.notes]].filter(r => r[1]);
  if (!rows.length) return '<p class="empty">No booking details yet.</p>';
  return '<table class="booking">' + rows.map(r => `<tr><td>${esc(r[0])}</td><td>${esc(r[1])}</td></tr>`).join('') + '</table>';
}

function actorTree(actors) {
  const rows = actors.map((a, i) => `<tr class="actor" data-name="${esc(a.name)}">
    <td>${i === 0 ? '' : (i === actors.length - 1 ? '└─ ' : '├─ ')}${esc(a.name)}</td>
    <td class="${a.alive ? 'alive' : 'down'}">${esc(a.state)}</td>
    <td>${a.messagesIn}</td><td>${a.messagesOut}</td><td>${a.mailbox}</td><td>${a.restarts}</td>
    <td class="err">${esc(a.lastError)}</td></tr>`).join('');
  return `<table class="actors"><tr><th>actor</th><th>state</th><th>in</th><th>out</th><th>mailbox</th><th>restarts</th><th>last error</th></tr>${rows}</table>`;
}

function transcriptLines(lines) {
  const label = { caller: 'Caller', assistant: 'Assistant', barge_in: 'barge-in', tool: 'tool', event: '' };
  // A reply cut by a barge-in: what the caller heard, then (muted) the rest
  // the model generated, which the caller never heard.
  return lines.map(l => `<div class="line ${esc(l.kind)}"><span class="who">${esc(label[l.kind] ?? l.kind)}</span>${esc(l.text)}` +
    (l.unheard ? `<span class="unheard" title="generated but not heard">${esc(l.unheard)}</span>` : '') +
    (l.latencyMs >= 0 ? `<span class="lat">${l.latencyMs} ms</span>` : '') + '</div>').join('');
}

function headline(c, now) {
  return `<span class="who">${esc(c.tenantName || c.tenant)}</span>
    <span class="kv">caller <b>${esc(c.from)}</b></span>
    <span class="kv">language <b class="language">${esc(c.language || '-')}</b></span>
    <span class="kv">duration <b class="duration">${dur(c.durationMs)}</b></span>
    <span class="state">${esc(c.state)}</span>
    <span class="kv">turns <b class="turns">${c.turns}</b></span>
    <span class="kv">barge-ins <b>${c.bargeIns}</b></span>
    <span class="kv">tokens <b>${tokens(c.usage)}</b></span>
    <span class="kv">cost <b class="cost">${usd(c.costUsd)}</b></span>`;
}

function renderCall(c) {
  let el = document.getElementById('call-' + c.callSid);
  if (!el) {
    el = document.createElement('section');
    el.className = 'call';
    el.id = 'call-' + c.callSid;
    el.dataset.sid = c.callSid;
    el.innerHTML = `<div class="call-head"><span class="head"></span>
      <button class="transfer-call" data-sid="${esc(c.callSid)}">Transfer</button>
      <button class="end-call" data-sid="${esc(c.callSid)}">End call</button></div>
      <div class="kv">CallSid <b>${esc(c.callSid)}</b></div>
      <div class="grid"><div><h2>Actor tree</h2><div class="tree"></div><h2>Booking so far</h2><div class="booking-box"></div></div>
      <div><h2>Live transcript</h2><div class="transcript"></div></div></div>`;
    document.getElementById('calls').appendChild(el);
  }
  el.querySelector('.head').innerHTML = headline(c);
  el.querySelector('.tree').innerHTML = actorTree(c.actors);
  el.querySelector('.booking-box').innerHTML = bookingTable(c.booking);
  const t = el.querySelector('.transcript');
  const atBottom = t.scrollTop + t.clientHeight >= t.scrollHeight - 4;
  t.innerHTML = transcriptLines(c.lines);
  if (atBottom) t.scrollTop = t.scrollHeight;
}

function renderFinished(list) {
  const box = document.getElementById('finished');
  if (!list.length) { box.innerHTML = '<p class="empty">None yet.</p>'; return; }
  box.innerHTML = list.map(c => `<div class="job-card" data-sid="${esc(c.callSid)}">
    <div class="call-head"><span class="who">${esc(c.tenantName || c.tenant)}</span>
      <span class="kv">caller <b>${esc(c.from)}</b></span>
      <span class="kv">language <b class="language">${esc(c.language || '-')}</b></span>
      <span class="kv">duration <b>${dur(c.durationMs)}</b></span>
      <span class="state">finished</span>
      <span class="kv">ended <b class="end-reason">${esc(c.endReason)}</b></span>
      <span class="kv">job <b>#${c.jobId}</b></span>
      <span class="kv">turns <b>${c.turns}</b></span>
      <span class="kv">cost <b>${usd(c.costUsd)}</b></span>
      <a class="kv recording" href="/console/calls/${encodeURIComponent(c.callSid)}/recording">recording</a></div>
    <div class="grid"><div><h2>Job card</h2>${bookingTable(c.booking)}</div>
    <div><h2>Transcript</h2><div class="transcript">${transcriptLines(c.lines)}</div></div></div></div>`).join('');
}

function render(snap) {
  const live = new Set(snap.calls.map(c => c.callSid));
  document.querySelectorAll('#calls section.call').forEach(el => { if (!live.has(el.dataset.sid)) el.remove(); });
  snap.calls.forEach(renderCall);
  document.getElementById('no-calls').classList.toggle('hidden', snap.calls.length > 0);
  document.getElementById('active-count').textContent = snap.calls.length;
  renderFinished(snap.finished);
  clusterSeesFeed(live); // console/cluster_script.cpp
}

document.addEventListener('click', async ev => {
  const x = ev.target.closest('button.transfer-call');
  if (!x) return;
  x.disabled = true;
  x.textContent = 'Transferring…';
  const r = await fetch('/console/calls/' + encodeURIComponent(x.dataset.sid) + '/transfer', { method: 'POST' });
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    x.textContent = 'Transfer failed: ' + (body.error || r.status);
  }
});

document.addEventListener('click', async ev => {
  const b = ev.target.closest('button.end-call');
  if (!b) return;
  b.disabled = true;
  b.textContent = 'Ending…';
  const r = await fetch('/console/calls/' + encodeURIComponent(b.dataset.sid) + '/end', { method: 'POST' });
  if (!r.ok) { b.textContent = 'Failed (' + r.status + ')'; }
});

function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/console/feed');
  const dot = document.getElementById('feed-dot'), status = document.getElementById('feed-status');
  ws.onopen = () => { dot.classList.add('live'); status.textContent = 'live'; };
  ws.onmessage = ev => { const snap = JSON.parse(ev.data); if (snap.type === 'snapshot') render(snap); };
  ws.onclose = () => {
    dot.classList.remove('live');
    status.textContent = 'disconnected; retrying';
    // A refused feed (session gone) shows as a failed page load: go to the login form.
    setTimeout(async () => { const r = await fetch('/console', { method: 'HEAD' }).catch(() => null);
      if (r && r.status === 401) location.reload(); else connect(); }, 2000);
  };
}
connect();

// An open page keeps its session in use, and learns within a minute that
// it has ended (idle or max lifetime: console.session_*_ms): back to login.
setInterval(async () => {
  const r = await fetch('/console', { method: 'HEAD' }).catch(() => null);
  if (r && r.status === 401) location.reload();
}, 60000);
)JS";

// No inline script or style anywhere: the Content-Security-Policy
// (console/routes.cpp) allows only /console/app.js and /console/app.css.
constexpr std::string_view head =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<link rel=\"stylesheet\" href=\"/console/app.css\">";

/// A page: the shared header (with `status` in it), `main`, and `script`.
std::string assemble(std::string_view page, std::string_view title, std::string_view status,
                     std::string_view main, std::string_view script_path) {
  std::string s{head};
  s += "<title>" + std::string{title} + "</title></head><body data-page=\"" + std::string{page} +
       "\">";
  s += header_start;
  s += status;
  s += header_end;
  s += main;
  s += "<script src=\"" + std::string{script_path} + "\"></script></body></html>\n";
  return s;
}

} // namespace

std::string_view console_page() {
  static const std::string page =
      assemble("calls", "Switchboard console", calls_body, calls_main, "/console/app.js");
  return page;
}

std::string_view reports_page() {
  static const std::string page =
      assemble("reports", "Switchboard console: reports", "", reports_main, "/console/reports.js");
  return page;
}

std::string_view variants_page() {
  static const std::string page = assemble("variants", "Switchboard console: variants", "",
                                           variants_main, "/console/reports.js");
  return page;
}

std::string_view console_script() {
  static const std::string all = std::string{script} + std::string{cluster_script()};
  return all;
}

std::string_view console_style() {
  return style;
}

std::string login_page(const std::string& error) {
  std::string s{head};
  s += "<title>Switchboard console: log in</title></head><body><form class=\"login\" "
       "method=\"post\" action=\"/console/login\">"
       "<h1>Switchboard console</h1>";
  if (!error.empty())
    s += "<p class=\"error\">" + proto::xml_escape(error) + "</p>";
  s += "<label for=\"token\">Operator token</label>"
       "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
       "autofocus>"
       "<button type=\"submit\">Log in</button></form></body></html>\n";
  return s;
}

} // namespace sb::console
