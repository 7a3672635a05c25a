// The live page's cluster view (console/cluster.hpp), appended to
// /console/app.js (console/page.cpp): no inline script, as the CSP wants.
#include "console/page.hpp"

namespace sb::console {

namespace {

constexpr std::string_view script = R"JS(
// -- the cluster view: every node and the calls each holds ------------------
// Polled from /console/api/cluster; this node's own calls are also live in
// the feed above (a row of this node links to its card).
const leaseAge = ms => ms < 0 ? '-' : (ms / 1000).toFixed(1) + ' s';
const leaseWord = { live: 'live', expired: 'expired (presumed dead)', none: 'no lease (one node)',
  unknown: 'no row' };

function renderCluster(v) {
  const err = document.getElementById('cluster-error');
  err.textContent = v.errors.join(' ');
  err.classList.toggle('hidden', v.errors.length === 0);
  document.getElementById('node-count').textContent = v.nodes.length;
  document.getElementById('cluster-nodes').innerHTML = '<table class="nodes"><tr><th>node</th><th>URL</th>' +
    '<th>lease</th><th>lease age</th><th class="num">live calls</th></tr>' +
    v.nodes.map(n => `<tr class="node${n.self ? ' self' : ''}" data-node="${esc(n.nodeId)}" data-lease="${esc(n.lease)}">
      <td>${esc(n.nodeId)}${n.self ? ' <span class="kv">(this node)</span>' : ''}</td><td>${esc(n.url)}</td>
      <td class="lease-${esc(n.lease)}">${esc(leaseWord[n.lease] ?? n.lease)}</td>
      <td>${leaseAge(n.leaseAgeMs)}</td><td class="num">${n.liveCalls}</td></tr>`).join('') + '</table>';
  const calls = document.getElementById('cluster-calls');
  if (!v.calls.length) { calls.innerHTML = '<p class="empty">No live calls on any node.</p>'; return; }
  const byNode = Object.fromEntries(v.nodes.map(n => [n.nodeId, n]));
  calls.innerHTML = '<table class="cluster-calls"><tr><th>call</th><th>node</th><th>business</th>' +
    '<th>caller</th><th>state</th><th>duration</th></tr>' +
    v.calls.map(c => `<tr class="cluster-call" data-sid="${esc(c.callSid)}" data-node="${esc(c.node)}">
      <td>${c.node === v.self ? `<a href="#call-${esc(c.callSid)}">${esc(c.callSid)}</a>` : esc(c.callSid)}</td>
      <td class="lease-${esc(byNode[c.node]?.lease ?? 'unknown')}">${esc(c.node)}</td>
      <td>${esc(c.tenantName || c.tenant)}</td><td>${esc(c.from)}</td><td>${esc(c.state)}</td>
      <td>${dur(c.durationMs)}</td></tr>`).join('') + '</table>';
}

async function loadCluster() {
  const r = await fetch('/console/api/cluster', { cache: 'no-store' }).catch(() => null);
  if (r && r.ok) return renderCluster(await r.json());
  if (r && r.status === 401) return; // the session check above sends the page to the login form
  const err = document.getElementById('cluster-error');
  err.textContent = 'The cluster view is not available (' + (r ? 'HTTP ' + r.status : 'no answer') + ').';
  err.classList.remove('hidden');
}
loadCluster();
setInterval(loadCluster, 5000);

// A call starting or ending here shows in the cluster view at once, not at
// the next poll: the feed's set of live calls changed.
let clusterFeedKey = '';
function clusterSeesFeed(liveSids) {
  const key = [...liveSids].sort().join(' ');
  if (key === clusterFeedKey) return;
  clusterFeedKey = key;
  loadCluster();
}
)JS";

} // namespace

std::string_view cluster_script() {
  return script;
}

} // namespace sb::console
