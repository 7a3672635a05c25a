// The load generator of switchboard-floor: N simulated callers and the
// simulated Realtime peer in ONE thread of this process (so the relay hop
// latency uses one clock), paced by a 1 ms timerfd. Call i speaks upstream
// in millisecond slot i%20 and the peer answers it in slot (i+10)%20, so the
// calls' 20 ms frames are spread evenly, as independent phone calls are.
#include "floor.hpp"
#include "protocol.hpp"

#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace sb::floor {

namespace {

constexpr std::uint64_t k_timer_tag = ~std::uint64_t{0};
constexpr std::uint64_t k_listen_tag = ~std::uint64_t{0} - 1;
constexpr std::uint64_t k_pending_bit = std::uint64_t{1} << 62;

class generator {
public:
  explicit generator(const gen_config& cfg) : cfg_(cfg), calls_(cfg.calls) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (cfg.protocol) { // ready-made frames: Twilio is a client (masks), OpenAI a server
      const std::uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
      auto frame = [](const std::string& json, const std::uint8_t* key) {
        std::string f(json.size() + 14, '\0');
        f.resize(proto::frame_text(f.data(), json, key));
        return f;
      };
      up_frame_ = frame(proto::twilio_media_json(), mask);
      down_frame_ = frame(proto::realtime_delta_json(), nullptr);
      echo_frame_ = frame(proto::twilio_mark_json(), mask);
    }
    r_.lat_us.assign(1'000'001, 0); // 1 us bins up to 1 s
    r_.down_lat_us.assign(1'000'001, 0);
  }
  ~generator() {
    for (auto& c : calls_)
      for (endpoint* e : {&c.caller, &c.peer})
        if (e->fd >= 0)
          ::close(e->fd);
    for (auto& p : pending_)
      if (p && p->fd >= 0)
        ::close(p->fd);
    if (tfd_ >= 0)
      ::close(tfd_);
    ::close(ep_);
  }

  gen_result run() {
    if (!setup())
      return std::move(r_);
    pace();
    return std::move(r_);
  }

private:
  struct call {
    endpoint caller, peer;
  };

  void add(int fd, std::uint64_t tag) {
    epoll_event ev{EPOLLIN, {}};
    ev.data.u64 = tag;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  }

  bool setup() {
    add(cfg_.peer_listen_fd, k_listen_tag);
    char buf[64];
    for (int i = 0; i < cfg_.calls; ++i) {
      endpoint& e = calls_[i].caller;
      e.fd = connect_loopback(cfg_.relay_port);
      if (e.fd < 0)
        return fail("connect to relay failed at call " + std::to_string(i));
      e.tag = std::uint64_t(i) * 2;
      add(e.fd, e.tag);
      make_msg(buf, k_hello, kind::hello, std::uint32_t(i), 0);
      send_msg(ep_, e, buf, k_hello);
    }
    std::uint64_t deadline = now_ns() + 30'000'000'000ull;
    while (ready_ < cfg_.calls && now_ns() < deadline)
      loop_once(100);
    if (ready_ < cfg_.calls)
      return fail("only " + std::to_string(ready_) + " peer sockets within 30 s");
    return true;
  }

  /// Builds a message into buf (room for 2 KiB): the bare floor's filler,
  /// or with --protocol the ready-made frame of its kind. Its length.
  std::uint16_t make(char* buf, std::uint16_t bare_len, kind k, std::uint32_t call,
                     std::uint64_t ts) const {
    const std::string* frame = !cfg_.protocol          ? nullptr
                               : k == kind::up_media   ? &up_frame_
                               : k == kind::down_media ? &down_frame_
                               : k == kind::mark_echo  ? &echo_frame_
                                                       : nullptr;
    if (!frame) {
      make_msg(buf, bare_len, k, call, ts);
      return bare_len;
    }
    auto len = std::uint16_t(sizeof(header) + frame->size());
    header h{len, std::uint8_t(k), 0, call, ts};
    std::memcpy(buf, &h, sizeof h);
    std::memcpy(buf + sizeof h, frame->data(), frame->size());
    return len;
  }

  /// --protocol: what the relay sent is one WebSocket text frame, masked
  /// towards the peer (the relay is OpenAI's client), not towards Twilio.
  void check_frame(const header& h, const char* m, bool masked) {
    if (cfg_.protocol && (h.len < sizeof h + 2 || std::uint8_t(m[sizeof h]) != 0x81 ||
                          bool(m[sizeof h + 1] & 0x80) != masked))
      ++r_.bad_recv;
  }

  bool fail(std::string why) {
    r_.error = std::move(why);
    return false;
  }

  void pace() {
    tfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    itimerspec its{{0, 1'000'000}, {0, 1'000'000}};
    timerfd_settime(tfd_, 0, &its, nullptr);
    add(tfd_, k_timer_tag);
    t0_ = now_ns();
    warm_slot_ = std::uint64_t(cfg_.warmup_s * 1000);
    end_slot_ = warm_slot_ + std::uint64_t(cfg_.duration_s * 1000);
    std::uint64_t deadline = t0_ + (end_slot_ + 3000) * 1'000'000ull;
    while (next_slot_ <= end_slot_ && now_ns() < deadline)
      loop_once(100);
    // Drain: a relay that keeps up delivers everything within milliseconds;
    // one that fell behind has frames queued in socket buffers.
    std::uint64_t drain_until = now_ns() + 5'000'000'000ull;
    while (now_ns() < drain_until && !(r_.up_recv == r_.up_sent && r_.down_recv == r_.down_sent &&
                                       r_.mark_recv == r_.down_sent))
      loop_once(10);
    loop_once(50); // let the last mark echoes leave before closing
  }

  void loop_once(int timeout_ms) {
    epoll_event evs[256];
    int n = epoll_wait(ep_, evs, 256, timeout_ms);
    for (int i = 0; i < n; ++i)
      on_event(evs[i].data.u64, evs[i].events);
  }

  void on_event(std::uint64_t tag, std::uint32_t events) {
    if (tag == k_timer_tag)
      return on_timer();
    if (tag == k_listen_tag)
      return accept_peers();
    if (tag & k_pending_bit)
      return on_pending(tag & ~k_pending_bit);
    call& c = calls_[tag / 2];
    bool peer_side = tag % 2 == 1;
    endpoint& e = peer_side ? c.peer : c.caller;
    if (e.fd < 0)
      return;
    if (events & EPOLLOUT)
      flush(ep_, e);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
      return;
    bool ok = peer_side ? read_msgs(e,
                                    [&](const header& h, const char* m) {
                                      check_frame(h, m, true);
                                      at_peer(h);
                                    })
                        : read_msgs(e, [&](const header& h, const char* m) {
                            check_frame(h, m, false);
                            at_caller(c, h);
                          });
    if (!ok) {
      ::close(e.fd);
      e.fd = -1;
    }
  }

  void at_peer(const header& h) {
    if (kind(h.kind) != kind::up_fwd)
      return;
    ++r_.up_recv;
    if (!recording_)
      return;
    std::uint64_t us = (now_ns() - h.ts_ns) / 1000;
    ++r_.lat_us[us < 1'000'000 ? us : 1'000'000];
  }

  void at_caller(call& c, const header& h) {
    if (kind(h.kind) == kind::caller_media) {
      ++r_.down_recv;
      if (recording_) {
        std::uint64_t us = (now_ns() - h.ts_ns) / 1000;
        ++r_.down_lat_us[us < 1'000'000 ? us : 1'000'000];
      }
    }
    if (kind(h.kind) != kind::mark)
      return;
    ++r_.mark_recv;
    char buf[2048]; // Twilio echoes each mark once the audio before it played
    auto len = make(buf, k_mark, kind::mark_echo, h.call, h.ts_ns);
    if (send_msg(ep_, c.caller, buf, len))
      ++r_.echo_sent;
  }

  void accept_peers() {
    for (int i = 0; i < 256; ++i) { // bounded batch; level-triggered resumes
      int fd = ::accept4(cfg_.peer_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        return;
      tune_socket(fd);
      pending_.push_back(std::make_unique<endpoint>());
      pending_.back()->fd = fd;
      add(fd, k_pending_bit | (pending_.size() - 1));
    }
  }

  /// A relay->peer socket before its hello: which call does it belong to?
  void on_pending(std::uint64_t idx) {
    endpoint& e = *pending_[idx];
    long id = -1;
    bool ok = read_msgs(e, [&](const header& h, const char*) {
      if (kind(h.kind) == kind::hello)
        id = long(h.call);
    });
    if (!ok || (id >= 0 && id >= long(calls_.size()))) {
      ::close(e.fd);
      pending_[idx].reset(new endpoint);
      return;
    }
    if (id < 0)
      return;
    endpoint& dst = calls_[std::size_t(id)].peer;
    dst = std::move(e);
    dst.tag = std::uint64_t(id) * 2 + 1;
    epoll_event ev{EPOLLIN, {}};
    ev.data.u64 = dst.tag;
    epoll_ctl(ep_, EPOLL_CTL_MOD, dst.fd, &ev);
    e.fd = -1;
    ++ready_;
  }

  void on_timer() {
    std::uint64_t expirations = 0;
    if (::read(tfd_, &expirations, sizeof expirations) < 0) { /* spurious */
    }
    std::uint64_t now_slot = (now_ns() - t0_) / 1'000'000;
    for (; next_slot_ <= now_slot && next_slot_ <= end_slot_; ++next_slot_) {
      if (now_slot - next_slot_ >= 2)
        ++r_.late_slots;
      run_slot(next_slot_);
    }
  }

  void run_slot(std::uint64_t k) {
    if (k == warm_slot_) {
      r_.start = snapshot(cfg_.relay_pid);
      recording_ = true;
    }
    if (k == end_slot_) {
      r_.end = snapshot(cfg_.relay_pid);
      recording_ = false;
      return;
    }
    char buf[2048];
    bool in_window = k >= warm_slot_;
    for (std::size_t i = k % 20; i < calls_.size(); i += 20) {
      auto len = make(buf, k_up_media, kind::up_media, std::uint32_t(i), now_ns());
      if (send_msg(ep_, calls_[i].caller, buf, len)) {
        ++r_.up_sent;
        if (in_window)
          ++r_.window_up_sent;
      }
    }
    const auto burst = static_cast<std::size_t>(cfg_.burst);
    const auto every = static_cast<std::size_t>(cfg_.down_every) * burst;
    for (std::size_t i = (k + 10) % 20; i < calls_.size(); i += 20) {
      if ((k / 20 + i) % every != 0)
        continue;
      // One stamp per burst, as the simulated peer stamps a reply's deltas
      // when it makes them, before it writes any: the last delta's latency
      // includes the writes of the ones before it.
      const std::uint64_t stamp = now_ns();
      for (std::size_t d = 0; d < burst; ++d) { // back to back, one write() each
        auto len = make(buf, k_down_media, kind::down_media, std::uint32_t(i), stamp);
        if (send_msg(ep_, calls_[i].peer, buf, len))
          ++r_.down_sent;
      }
    }
  }

  gen_config cfg_;
  std::vector<call> calls_;
  std::vector<std::unique_ptr<endpoint>> pending_;
  gen_result r_;
  int ep_ = -1, tfd_ = -1, ready_ = 0;
  std::uint64_t t0_ = 0, next_slot_ = 0, warm_slot_ = 0, end_slot_ = 0;
  bool recording_ = false;
  std::string up_frame_, down_frame_, echo_frame_; ///< --protocol
};

} // namespace

gen_result run_generator(const gen_config& cfg) {
  generator g(cfg);
  return g.run();
}

} // namespace sb::floor
