// switchboard-frame-cost (issue 15.2): what one media frame costs the relay
// in user space, step by step, on one thread, with no socket: the parse of a
// Realtime audio delta and of a Twilio media frame, the relay's handling of
// each (media_relay, the production code, writing into a connection that only
// counts what it is given), and the JSON each builds. The load bench
// measures the whole server; this says which step of a frame's path the
// time goes to, and how many heap allocations each step makes.
//   switchboard-frame-cost [--rounds 15] [--frames 20000]
// Prints, per step, the median and the spread (min-max) over the rounds of
// the mean ns per frame, and allocations per frame (operator new counted).

#include "net/ws_connection.hpp"
#include "protocol/base64.hpp"
#include "protocol/media_stream.hpp"
#include "protocol/realtime.hpp"
#include "relay/media_relay.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

// GCC sees free() on a pointer from the operator new below once both are
// inlined, and warns; they are a matched pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {

std::atomic<long> g_allocations{0};

} // namespace

// Counted: every heap allocation the steps make goes through these.
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc{};
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using namespace sb;

/// A connection that takes frames and keeps only their count and bytes:
/// the relay's work ends where the socket's would begin.
class counting_connection final : public net::ws_connection {
public:
  void send_text(std::string frame) override {
    ++frames;
    bytes += frame.size();
  }
  void close() override {}
  void abort() override {}
  void set_handlers(net::ws_handlers) override {}
  void resume_reading() override {}
  std::size_t queued_bytes() const override { return 0; }
  std::string remote_endpoint() const override { return "127.0.0.1:0"; }
  long frames = 0;
  std::size_t bytes = 0;
};

std::string audio_b64(std::size_t bytes, unsigned seed) {
  std::string raw(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i)
    raw[i] = static_cast<char>((i * 131 + seed * 7) & 0xff);
  return proto::base64_encode(raw);
}

/// A response.output_audio.delta as the Realtime service sends it (100 ms
/// of mu-law: 800 bytes, 1,068 base64 characters).
std::string realtime_delta(const std::string& b64) {
  return R"({"type":"response.output_audio.delta","event_id":"event_CbQ1xY2mZ3nW4pL5",)"
         R"("response_id":"resp_CbQ1xY2mZ3nW4pL5","item_id":"item_CbQ1xY2mZ3nW4pL6",)"
         R"("output_index":0,"content_index":0,"delta":")" +
         b64 + "\"}";
}

/// A Twilio Media Stream "media" frame (20 ms: 160 bytes, 216 characters).
std::string twilio_media(const std::string& b64, long n) {
  return R"({"event":"media","sequenceNumber":")" + std::to_string(n + 2) +
         R"(","media":{"track":"inbound","chunk":")" + std::to_string(n + 1) +
         R"(","timestamp":")" + std::to_string(n * 20) + R"(","payload":")" + b64 +
         R"("},"streamSid":"MZ18ad3ab5a668481ce02b83e7395059f0"})";
}

struct step_result {
  std::vector<double> ns_per_frame;
  double allocations_per_frame = 0;
};

/// Runs `body(i)` for i in [0, frames) `rounds` times: ns per frame of each
/// round, allocations per frame of the last.
step_result measure(int rounds, long frames, const std::function<void(long)>& body) {
  step_result r;
  for (long i = 0; i < frames / 10; ++i) // warm-up
    body(i);
  for (int round = 0; round < rounds; ++round) {
    long before = g_allocations.load();
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < frames; ++i)
      body(i);
    auto t1 = std::chrono::steady_clock::now();
    r.allocations_per_frame = double(g_allocations.load() - before) / double(frames);
    r.ns_per_frame.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                             double(frames));
  }
  return r;
}

void print(const char* name, step_result r) {
  std::sort(r.ns_per_frame.begin(), r.ns_per_frame.end());
  std::printf("  %-44s %8.0f ns  (%.0f-%.0f)  %5.1f allocations\n", name,
              r.ns_per_frame[r.ns_per_frame.size() / 2], r.ns_per_frame.front(),
              r.ns_per_frame.back(), r.allocations_per_frame);
}

} // namespace

int main(int argc, char** argv) {
  int rounds = 15;
  long frames = 20000;
  CLI::App app{"switchboard-frame-cost: a media frame's user-space cost in the relay, by step"};
  app.add_option("--rounds", rounds, "repetitions of each step (median and spread printed)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--frames", frames, "frames per repetition")->check(CLI::Range(100L, 10000000L));
  CLI11_PARSE(app, argc, argv);

  const std::string delta_b64 = audio_b64(800, 1), media_b64 = audio_b64(160, 2);
  const std::string delta = realtime_delta(delta_b64);
  std::vector<std::string> media;
  for (long n = 0; n < 64; ++n)
    media.push_back(twilio_media(media_b64, n));
  const std::string sid = "MZ18ad3ab5a668481ce02b83e7395059f0";

  // Down: a delta parsed, then handed to the relay (media + mark built and
  // queued to the Twilio leg).
  auto twilio = std::make_shared<counting_connection>();
  auto openai = std::make_shared<counting_connection>();
  relay::media_relay relay{nullptr, nullptr};
  relay.attach_twilio(twilio, sid);
  relay.attach_openai(openai);
  relay.openai_ready();

  std::printf("switchboard-frame-cost: %d rounds of %ld frames; median ns per frame "
              "(min-max of the rounds)\n",
              rounds, frames);
  std::printf("down (Realtime delta, %zu bytes -> Twilio media + mark)\n", delta.size());
  print("parse_server_event", measure(rounds, frames, [&](long) {
          auto ev = proto::parse_server_event(delta);
          if (!ev || ev->delta.size() != delta_b64.size())
            std::abort();
        }));
  // Every 64th delta the caller echoes the latest mark (the relay names
  // them a0, a1, ...; an echo confirms every mark before it too).
  long sent = 0;
  auto to_relay = [&](std::string item_id, std::string b64) {
    relay.assistant_audio(std::move(item_id), std::move(b64), 0);
    if (++sent % 64 == 0)
      relay.caller_heard("a" + std::to_string(sent - 1));
  };
  print("media_relay::assistant_audio (+ mark echoes)",
        measure(rounds, frames, [&](long) { to_relay("item_CbQ1xY2mZ3nW4pL6", delta_b64); }));
  print("  of which build_twilio_media", measure(rounds, frames, [&](long) {
          if (proto::build_twilio_media(sid, delta_b64).empty())
            std::abort();
        }));
  print("whole: parse + relay", measure(rounds, frames, [&](long) {
          auto ev = proto::parse_server_event(delta);
          to_relay(std::move(ev->item_id), std::move(ev->delta));
        }));

  std::printf("up (Twilio media, %zu bytes -> input_audio_buffer.append)\n", media[0].size());
  print("parse_twilio_event", measure(rounds, frames, [&](long i) {
          auto ev = proto::parse_twilio_event(media[static_cast<std::size_t>(i % 64)]);
          if (!ev || ev->payload_b64.size() != media_b64.size())
            std::abort();
        }));
  print("media_relay::caller_audio",
        measure(rounds, frames, [&](long i) { relay.caller_audio(media_b64, i * 20, 0); }));
  print("  of which build_input_audio_append", measure(rounds, frames, [&](long) {
          if (proto::build_input_audio_append(media_b64).empty())
            std::abort();
        }));
  print("whole: parse + relay", measure(rounds, frames, [&](long i) {
          auto ev = proto::parse_twilio_event(media[static_cast<std::size_t>(i % 64)]);
          relay.caller_audio(ev->payload_b64, ev->timestamp_ms, 0);
        }));
  std::printf("frames written: Twilio %ld, OpenAI %ld\n", twilio->frames, openai->frames);
  if (relay.playing() != (sent % 64 != 0)) // every mark echoed but the last few
    std::abort();
  return 0;
}
