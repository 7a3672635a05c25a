#pragma once
// Byte-offset matching of one call's audio at both ends. The relay is a byte
// stream per direction, so the k-th byte the receiver gets is the k-th byte
// the sender sent: each 160-byte unit (20 ms of mu-law) is stamped when its
// last byte is sent and when its last byte arrives, whatever the chunking in
// between. A per-unit hash checks that the bytes are the same (a loss or a
// duplicate shifts every later unit). Only units still in flight are kept.

#include "bench/stats.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

namespace sb::bench {

/// Latency samples of every call, per measurement window (a ramp step).
struct latency_window {
  histogram upstream, downstream, turn_added, setup;
};

/// Where every call's samples go; thread-safe. The harness takes the window
/// at the end of each step.
class latency_sink {
public:
  enum class kind { upstream, downstream, turn_added, setup };
  void add(kind k, int64_t us);
  /// The samples since the last take(), and a fresh window.
  latency_window take();

private:
  std::mutex mu_;
  latency_window w_;
};

/// One direction of one call.
class stream_track {
public:
  struct unit_done {
    int64_t sent_us, received_us;
    bool matches; ///< same bytes
  };
  /// Sender side: `bytes` follow everything sent before.
  void sent(std::string_view bytes, int64_t now_us);
  /// Receiver side; `done` runs for each completed unit, in order.
  template <class F> void received(std::string_view bytes, int64_t now_us, F&& done);
  /// After the call: bytes sent but never received, and received beyond sent.
  int64_t lost() const { return sent_bytes_ > recv_bytes_ ? sent_bytes_ - recv_bytes_ : 0; }
  int64_t duplicated() const { return recv_bytes_ > sent_bytes_ ? recv_bytes_ - sent_bytes_ : 0; }
  int64_t mismatched_units() const;
  int64_t sent_bytes() const { return sent_bytes_; }
  int64_t received_bytes() const { return recv_bytes_; }
  int64_t sent_units() const { return sent_units_; }

  static constexpr int64_t unit_bytes = 160;

private:
  struct pending_unit {
    int64_t sent_us;
    uint32_t hash;
  };
  static uint32_t mix(uint32_t h, unsigned char c) { return (h ^ c) * 16777619u; } // FNV-1a
  static constexpr uint32_t fnv_seed = 2166136261u;
  /// Hashes `bytes` up to the next unit boundary of a stream at `count`
  /// bytes, consuming them; true when that completes a unit. Unit by unit,
  /// not a modulo per byte: this runs on every frame of every call.
  static bool absorb(std::string_view& bytes, int64_t& count, uint32_t& hash) {
    const auto take = std::min<std::size_t>(
        static_cast<std::size_t>(unit_bytes - count % unit_bytes), bytes.size());
    for (std::size_t i = 0; i < take; ++i)
      hash = mix(hash, static_cast<unsigned char>(bytes[i]));
    bytes.remove_prefix(take);
    count += static_cast<int64_t>(take);
    return count % unit_bytes == 0;
  }

  std::deque<pending_unit> pending_; ///< sent, not yet received
  int64_t sent_bytes_ = 0, recv_bytes_ = 0, sent_units_ = 0;
  uint32_t send_hash_ = fnv_seed, recv_hash_ = fnv_seed;
  int64_t mismatched_ = 0;
  int64_t extra_units_ = 0; ///< received with nothing pending (duplicates)
};

/// Both directions of one call plus its derived samples.
class latency_probe {
public:
  explicit latency_probe(latency_sink* sink) : sink_(sink) {}

  void call_started(int64_t now_us);
  void upstream_sent(std::string_view bytes, int64_t now_us);       ///< caller
  void upstream_received(std::string_view bytes, int64_t now_us);   ///< peer
  void downstream_sent(std::string_view bytes, int64_t now_us);     ///< peer
  void downstream_received(std::string_view bytes, int64_t now_us); ///< caller
  void note_peer_connection(int connection);
  /// Bytes received at both ends so far (the harness waits for them to settle).
  int64_t received_bytes();

  struct summary {
    int64_t setup_us = -1;
    percentiles upstream, downstream, turn_added;
    int64_t up_lost = 0, up_dup = 0, down_lost = 0, down_dup = 0, mismatched_units = 0;
    int64_t up_bytes = 0, down_bytes = 0;
    int peer_connections = 0;
  };
  summary finish();

private:
  static percentiles of(std::vector<uint16_t>& v); ///< v in units of 10 us

  std::mutex mu_;
  latency_sink* sink_;
  stream_track up_, down_;
  int64_t started_us_ = 0;
  int64_t established_us_ = -1;                        ///< first greeting byte at the caller
  std::vector<uint16_t> up_lat_, down_lat_, turn_lat_; ///< 10 us units, saturating
  // turn analysis: last speech unit's upstream latency, reply starts downstream
  int64_t last_speech_unit_ = -1;
  int64_t last_speech_up_us_ = -1;
  int64_t up_units_received_ = 0, down_units_received_ = 0;
  int64_t last_down_sent_us_ = -1;
  std::deque<int64_t> reply_start_units_;
  std::vector<int> connections_;
};

// -- template --

template <class F> void stream_track::received(std::string_view bytes, int64_t now_us, F&& done) {
  while (!bytes.empty()) {
    if (!absorb(bytes, recv_bytes_, recv_hash_))
      continue;
    if (pending_.empty()) {
      ++extra_units_;
      recv_hash_ = fnv_seed;
      continue;
    }
    const pending_unit u = pending_.front();
    pending_.pop_front();
    const bool same = u.hash == recv_hash_;
    if (!same)
      ++mismatched_;
    recv_hash_ = fnv_seed;
    done(unit_done{u.sent_us, now_us, same});
  }
}

} // namespace sb::bench
