// The load run's calls: scripts and table, the peer's hooks into each
// call's probe, calls started and hung up, their records collected.
#include "bench/load_calls.hpp"

#include "bench/bench_setup.hpp"
#include "common/time.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <thread>

namespace sb::bench::load {

using namespace std::chrono_literals;

void add_calls(call_table& t, const harness_options& o, const run_plan& plan, run_result& rr) {
  const int fc_every = o.function_call_fraction > 0
                           ? std::max(1, static_cast<int>(1.0 / o.function_call_fraction + 0.5))
                           : 0;
  const int bi_every =
      o.barge_in_fraction > 0 ? std::max(1, static_cast<int>(1.0 / o.barge_in_fraction + 0.5)) : 0;
  for (int i = 0; i < plan.max_calls; ++i) {
    const bool fc = fc_every > 0 && i % fc_every == 0;
    const bool bi = bi_every > 0 && i % bi_every == bi_every / 2;
    t.scripts.push_back(bench_script(i, plan.turns, fc, bi));
    t.calls.push_back(std::make_unique<live_call>(&t.sink));
    t.by_number[t.scripts.back().caller_number] = t.calls.back().get();
    rr.calls.push_back({});
    rr.calls.back().index = i;
    rr.calls.back().function_calls = fc;
    rr.calls.back().barge_in = bi;
  }
}

sim::peer_options peer_options_for(call_table& t, const sim::clip_library& clips) {
  sim::peer_options po;
  po.clips = clips;
  po.scripts = t.scripts;
  po.record_client_events = false;
  po.on_audio_received = [&t](const std::string& number, int conn, int64_t, std::string_view bytes,
                              int64_t at) {
    if (live_call* c = t.find(number, conn)) {
      c->probe.note_peer_connection(conn);
      c->probe.upstream_received(bytes, at);
    }
  };
  po.on_audio_sent = [&t](const std::string& number, int conn, int64_t, std::string_view bytes,
                          int64_t at) {
    if (live_call* c = t.find(number, conn))
      c->probe.downstream_sent(bytes, at);
  };
  return po;
}

void call_starter::operator()(int i) const {
  sim::caller_options co;
  co.server_url =
      (o.twilio_tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
  if (o.twilio_tls)
    co.ca_pem = tls.ca->cert_pem;
  co.public_url = public_url;
  co.auth_token = token;
  co.to_number = business_number;
  co.script = table.scripts[static_cast<std::size_t>(i)];
  co.clips = &clips;
  co.max_call_ms = (total_s + 120) * 1000;
  co.hang_up = hang_up;
  // Every silence frame differs (its tick in the lowest mu-law step), so
  // the probe's per-unit hash sees a reordered frame of silence too.
  co.tag_silence = true;
  live_call* c = &table[i];
  co.on_audio_sent = [c](int64_t, std::string_view b, int64_t t) { c->probe.upstream_sent(b, t); };
  co.on_audio_received = [c](int64_t, std::string_view b, int64_t t) {
    c->probe.downstream_received(b, t);
  };
  c->probe.call_started(mono_us());
  sim::run_caller(io, std::move(co), [c, &failed = failed](sim::caller_result r) {
    if (!r.ok)
      ++failed;
    c->result = std::move(r);
    c->done = true;
  });
}

void start_calls(const call_starter& start_call, int& started, int target, int start_rate) {
  const auto t_start = std::chrono::steady_clock::now();
  const int first = started;
  const auto offsets = call_start_offsets(target - first, start_rate);
  for (; started < target; ++started) {
    std::this_thread::sleep_until(t_start + offsets[static_cast<std::size_t>(started - first)]);
    boost::asio::post(start_call.io, [&start_call, i = started] { start_call(i); });
  }
}

void hang_up_and_settle(std::atomic<bool>& hang_up, call_table& t, int started) {
  hang_up.store(true);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  auto all_done = [&] {
    for (int i = 0; i < started; ++i)
      if (!t[i].done)
        return false;
    return true;
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  auto received = [&] {
    int64_t n = 0;
    for (int i = 0; i < started; ++i)
      n += t[i].probe.received_bytes();
    return n;
  };
  int64_t last = -1;
  for (int i = 0; i < 20; ++i) {
    const int64_t now_n = received();
    if (now_n == last)
      break;
    last = now_n;
    std::this_thread::sleep_for(1s);
  }
}

void collect_calls(call_table& t, int started, run_result& rr) {
  rr.calls.resize(static_cast<std::size_t>(started));
  for (int i = 0; i < started; ++i) {
    auto& c = t[i];
    auto& rec = rr.calls[static_cast<std::size_t>(i)];
    rec.probe = c.probe.finish();
    if (!c.done) {
      rec.ok = false;
      rec.error = "did not end within 60 s of the hang-up";
    } else {
      rec.ok = c.result.ok;
      rec.error = c.result.error;
      rec.call_sid = c.result.call_sid;
      rec.marks_echoed = c.result.marks_echoed;
      rec.clears_received = c.result.clears_received;
      rec.turns = static_cast<int>(c.result.reply_gap_ms.size());
      if (!c.result.reply_gap_ms.empty()) {
        int64_t sum = 0;
        for (auto g : c.result.reply_gap_ms)
          sum += g;
        rec.reply_gap_mean_ms = sum / static_cast<int64_t>(c.result.reply_gap_ms.size());
      }
    }
    rr.failed_calls += rec.ok ? 0 : 1;
    rr.bytes_lost += rec.probe.up_lost + rec.probe.down_lost;
    rr.bytes_duplicated += rec.probe.up_dup + rec.probe.down_dup;
    rr.mismatched_units += rec.probe.mismatched_units;
    rr.peer_reconnects += std::max(0, rec.probe.peer_connections - 1);
  }
}

} // namespace sb::bench::load
