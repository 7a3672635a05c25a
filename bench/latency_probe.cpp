#include "bench/latency_probe.hpp"

#include <algorithm>
#include <utility>

namespace sb::bench {

namespace {

/// A reply starts after the peer has sent nothing for this long.
constexpr int64_t reply_idle_us = 300'000;

uint16_t ten_us(int64_t us) {
  return static_cast<uint16_t>(std::clamp<int64_t>((us + 5) / 10, 0, 65535));
}

bool is_silence(std::string_view frame) {
  return std::all_of(frame.begin(), frame.end(), [](char c) { return c == '\xFF'; });
}

} // namespace

// -- latency_sink --

void latency_sink::add(kind k, int64_t us) {
  std::lock_guard lock(mu_);
  switch (k) {
  case kind::upstream:
    return w_.upstream.add(us);
  case kind::downstream:
    return w_.downstream.add(us);
  case kind::turn_added:
    return w_.turn_added.add(us);
  case kind::setup:
    return w_.setup.add(us);
  }
}

latency_window latency_sink::take() {
  std::lock_guard lock(mu_);
  return std::exchange(w_, latency_window{});
}

// -- stream_track --

void stream_track::sent(std::string_view bytes, int64_t now_us) {
  while (!bytes.empty()) {
    if (!absorb(bytes, sent_bytes_, send_hash_))
      continue;
    pending_.push_back({now_us, send_hash_});
    ++sent_units_;
    send_hash_ = fnv_seed;
  }
}

int64_t stream_track::mismatched_units() const {
  // A trailing partial unit is compared too, when both ends have all of it.
  const bool tail_differs = sent_bytes_ == recv_bytes_ && send_hash_ != recv_hash_;
  return mismatched_ + extra_units_ + (tail_differs ? 1 : 0);
}

// -- latency_probe --

void latency_probe::call_started(int64_t now_us) {
  std::lock_guard lock(mu_);
  started_us_ = now_us;
}

void latency_probe::note_peer_connection(int connection) {
  std::lock_guard lock(mu_);
  if (std::find(connections_.begin(), connections_.end(), connection) == connections_.end())
    connections_.push_back(connection);
}

int64_t latency_probe::received_bytes() {
  std::lock_guard lock(mu_);
  return up_.received_bytes() + down_.received_bytes();
}

void latency_probe::upstream_sent(std::string_view bytes, int64_t now_us) {
  std::lock_guard lock(mu_);
  // The caller sends whole 160-byte frames, one unit each.
  if (!is_silence(bytes))
    last_speech_unit_ = up_.sent_units();
  up_.sent(bytes, now_us);
}

void latency_probe::upstream_received(std::string_view bytes, int64_t now_us) {
  std::lock_guard lock(mu_);
  up_.received(bytes, now_us, [&](const stream_track::unit_done& u) {
    const int64_t unit = up_units_received_++;
    // Units sent before the call was established waited for the session
    // (set-up, measured apart): relay latency counts the rest.
    if (established_us_ < 0 || u.sent_us < established_us_)
      return;
    const int64_t lat = u.received_us - u.sent_us;
    up_lat_.push_back(ten_us(lat));
    sink_->add(latency_sink::kind::upstream, lat);
    if (unit == last_speech_unit_)
      last_speech_up_us_ = lat;
  });
}

void latency_probe::downstream_sent(std::string_view bytes, int64_t now_us) {
  std::lock_guard lock(mu_);
  if (last_down_sent_us_ >= 0 && now_us - last_down_sent_us_ >= reply_idle_us)
    reply_start_units_.push_back(down_.sent_bytes() / stream_track::unit_bytes);
  last_down_sent_us_ = now_us;
  down_.sent(bytes, now_us);
}

void latency_probe::downstream_received(std::string_view bytes, int64_t now_us) {
  std::lock_guard lock(mu_);
  if (established_us_ < 0) {
    established_us_ = now_us;
    const int64_t setup = now_us - started_us_;
    sink_->add(latency_sink::kind::setup, setup);
  }
  down_.received(bytes, now_us, [&](const stream_track::unit_done& u) {
    const int64_t unit = down_units_received_++;
    if (u.sent_us < established_us_)
      return; // the greeting's first burst, held until the stream attached: set-up
    const int64_t lat = u.received_us - u.sent_us;
    down_lat_.push_back(ten_us(lat));
    sink_->add(latency_sink::kind::downstream, lat);
    while (!reply_start_units_.empty() && reply_start_units_.front() < unit)
      reply_start_units_.pop_front();
    if (!reply_start_units_.empty() && reply_start_units_.front() == unit) {
      reply_start_units_.pop_front();
      // What the bridge adds to a turn: the end of speech on its way up plus
      // the first reply audio on its way down (the peer's own think time and
      // VAD silence are the model's, not the bridge's).
      if (last_speech_up_us_ >= 0) {
        const int64_t added = last_speech_up_us_ + lat;
        turn_lat_.push_back(ten_us(added));
        sink_->add(latency_sink::kind::turn_added, added);
      }
    }
  });
}

percentiles latency_probe::of(std::vector<uint16_t>& v) {
  percentiles p;
  p.count = static_cast<int64_t>(v.size());
  if (v.empty())
    return p;
  auto at = [&](double q) {
    auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return int64_t{v[k]} * 10;
  };
  p.p50_us = at(0.50);
  p.p95_us = at(0.95);
  p.p99_us = at(0.99);
  p.max_us = int64_t{*std::max_element(v.begin(), v.end())} * 10;
  return p;
}

latency_probe::summary latency_probe::finish() {
  std::lock_guard lock(mu_);
  summary s;
  s.setup_us = established_us_ >= 0 ? established_us_ - started_us_ : -1;
  s.upstream = of(up_lat_);
  s.downstream = of(down_lat_);
  s.turn_added = of(turn_lat_);
  s.up_lost = up_.lost();
  s.up_dup = up_.duplicated();
  s.down_lost = down_.lost();
  s.down_dup = down_.duplicated();
  s.mismatched_units = up_.mismatched_units() + down_.mismatched_units();
  s.up_bytes = up_.sent_bytes();
  s.down_bytes = down_.sent_bytes();
  s.peer_connections = static_cast<int>(connections_.size());
  // Free the samples: a ramp keeps a thousand finished probes around.
  up_lat_ = {};
  down_lat_ = {};
  turn_lat_ = {};
  return s;
}

} // namespace sb::bench
