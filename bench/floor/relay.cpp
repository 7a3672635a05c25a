// The relay process of switchboard-floor: one thread, one level-triggered
// epoll, two TCP sockets per call (caller side, peer side). It does exactly
// the bridge's per-frame socket work and nothing else, so its CPU time is the
// floor any real bridge pays on this kernel. With --protocol it also does
// the least protocol work per frame (protocol.hpp): that figure is the floor
// of a bridge that speaks WebSocket and JSON. snapshot() at the end is how
// the parent reads that CPU time.
#include "floor.hpp"
#include "protocol.hpp"

#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <memory>
#include <sstream>

namespace sb::floor {

namespace {

double read_proc_cpu(const std::string& dir, double* sched_s) {
  std::ifstream st(dir + "/stat");
  std::string all((std::istreambuf_iterator<char>(st)), {});
  std::istringstream rest(all.substr(all.rfind(')') + 1));
  std::string tok;
  unsigned long long utime = 0, stime = 0;
  for (int field = 3; field <= 15 && (rest >> tok); ++field) {
    if (field == 14)
      utime = std::stoull(tok);
    if (field == 15)
      stime = std::stoull(tok);
  }
  std::ifstream ss(dir + "/schedstat");
  unsigned long long run_ns = 0;
  ss >> run_ns;
  *sched_s = double(run_ns) / 1e9;
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

/// /proc dirs of the ksoftirqd threads: loopback receive work the kernel
/// defers to them under load is charged to neither relay nor generator.
const std::vector<std::string>& ksoftirqd_dirs() {
  static const std::vector<std::string> dirs = [] {
    std::vector<std::string> out;
    DIR* d = opendir("/proc");
    for (dirent* e = d ? readdir(d) : nullptr; e; e = readdir(d)) {
      std::string dir = std::string("/proc/") + e->d_name, comm;
      if (e->d_name[0] < '1' || e->d_name[0] > '9')
        continue;
      std::ifstream(dir + "/comm") >> comm;
      if (comm.rfind("ksoftirqd/", 0) == 0)
        out.push_back(dir);
    }
    if (d)
      closedir(d);
    return out;
  }();
  return dirs;
}

constexpr std::uint64_t k_listen_tag = ~std::uint64_t{0};
constexpr std::uint64_t k_stop_tag = ~std::uint64_t{0} - 1;

/// One bridged call: index*2 tags the caller side, index*2+1 the peer side.
struct call {
  endpoint caller, peer;
};

class relay {
public:
  relay(int ep, std::uint16_t peer_port, relay_counters* c, bool protocol)
      : ep_(ep), peer_port_(peer_port), c_(c), protocol_(protocol) {}

  void accept_all(int lfd) {
    for (int i = 0; i < 256; ++i) { // bounded batch; level-triggered resumes
      int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        return;
      tune_socket(fd);
      calls_.push_back(std::make_unique<call>());
      endpoint& e = calls_.back()->caller;
      e.fd = fd;
      e.tag = (calls_.size() - 1) * 2;
      add(e);
      ++c_->accepted;
    }
  }

  void on_event(std::uint64_t tag, std::uint32_t events) {
    call& k = *calls_[tag / 2];
    bool peer_side = tag % 2 == 1;
    endpoint& e = peer_side ? k.peer : k.caller;
    if (e.fd < 0)
      return;
    bool ok = true;
    if (events & EPOLLOUT)
      ok = flush(ep_, e);
    if (ok && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
      ok = peer_side ? read_msgs(e, [&](const header& h, const char* m) { from_peer(k, h, m); })
                     : read_msgs(e, [&](const header& h, const char* m) { from_caller(k, h, m); });
    }
    if (!ok)
      close_call(k);
  }

private:
  void add(endpoint& e) {
    epoll_event ev{EPOLLIN, {}};
    ev.data.u64 = e.tag;
    epoll_ctl(ep_, EPOLL_CTL_ADD, e.fd, &ev);
  }

  void from_caller(call& k, const header& h, const char* m) {
    char buf[512];
    switch (kind(h.kind)) {
    case kind::hello: { // the bridge dials OpenAI when the stream starts
      k.peer.fd = connect_loopback(peer_port_);
      if (k.peer.fd < 0)
        return;
      k.peer.tag = k.caller.tag + 1;
      add(k.peer);
      make_msg(buf, k_hello, kind::hello, h.call, 0);
      send_msg(ep_, k.peer, buf, k_hello, &c_->write_stalls);
      return;
    }
    case kind::up_media: // re-frame: same timestamp, shorter message
      ++c_->up_in;
      if (protocol_)
        return up_protocol(k, h, m);
      std::memcpy(buf, m, k_up_fwd);
      make_header(buf, k_up_fwd, kind::up_fwd, h);
      if (send_msg(ep_, k.peer, buf, k_up_fwd, &c_->write_stalls))
        ++c_->up_out;
      return;
    case kind::mark_echo:
      ++c_->echo_in;
      if (protocol_ && !echo_protocol(h, m))
        ++c_->bad_in;
      return;
    default:
      return;
    }
  }

  void from_peer(call& k, const header& h, const char* m) {
    if (kind(h.kind) != kind::down_media)
      return;
    ++c_->down_in;
    if (protocol_)
      return down_protocol(k, h, m);
    char buf[512];
    std::memcpy(buf, m, k_caller_media);
    make_header(buf, k_caller_media, kind::caller_media, h);
    if (send_msg(ep_, k.caller, buf, k_caller_media, &c_->write_stalls))
      ++c_->caller_media_out;
    make_msg(buf, k_mark, kind::mark, h.call, h.ts_ns); // 2nd write(), as the bridge
    if (send_msg(ep_, k.caller, buf, k_mark, &c_->write_stalls))
      ++c_->mark_out;
  }

  // --protocol: Twilio "media" (masked, from a client) -> Realtime
  // input_audio_buffer.append (masked: we are OpenAI's client).
  void up_protocol(call& k, const header& h, const char* m) {
    std::string_view audio;
    bool ok = proto::with_json(open(h, m, true), [&](const auto& doc) {
      auto media = doc.FindMember("media");
      if (proto::str(doc, "event") == "media" && media != doc.MemberEnd() &&
          media->value.IsObject())
        audio = proto::str(media->value, "payload");
    });
    if (!ok || !proto::base64_ok(audio) || audio.size() > 1024) {
      ++c_->bad_in;
      return;
    }
    char json[1100];
    std::size_t n =
        proto::join(json, {R"({"type":"input_audio_buffer.append","audio":")", audio, "\"}"});
    std::uint8_t mask[4];
    next_mask(mask);
    if (send_frame(k.peer, kind::up_fwd, h, {json, n}, mask))
      ++c_->up_out;
  }

  // --protocol: Realtime response.output_audio.delta -> Twilio "media" and
  // "mark" (unmasked: we are Twilio's server), two writes as the bridge.
  void down_protocol(call& k, const header& h, const char* m) {
    std::string_view audio;
    bool ok = proto::with_json(open(h, m, false), [&](const auto& doc) {
      if (proto::str(doc, "type") == "response.output_audio.delta")
        audio = proto::str(doc, "delta");
    });
    if (!ok || !proto::base64_ok(audio) || audio.size() > 4096) {
      ++c_->bad_in;
      return;
    }
    char json[4200];
    std::size_t n = proto::join(json, {R"({"event":"media","streamSid":")", proto::k_stream_sid,
                                       R"(","media":{"payload":")", audio, "\"}}"});
    if (send_frame(k.caller, kind::caller_media, h, {json, n}, nullptr))
      ++c_->caller_media_out;
    char name[24];
    int nn = std::snprintf(name, sizeof name, "d%llu", (unsigned long long)++marks_);
    n = proto::join(json, {R"({"event":"mark","streamSid":")",
                           proto::k_stream_sid,
                           R"(","mark":{"name":")",
                           {name, std::size_t(nn)},
                           "\"}}"});
    if (send_frame(k.caller, kind::mark, h, {json, n}, nullptr))
      ++c_->mark_out;
  }

  bool echo_protocol(const header& h, const char* m) {
    bool mark = false;
    return proto::with_json(open(h, m, true),
                            [&](const auto& doc) {
                              auto it = doc.FindMember("mark");
                              mark = proto::str(doc, "event") == "mark" && it != doc.MemberEnd() &&
                                     !proto::str(it->value, "name").empty();
                            }) &&
           mark;
  }

  /// The WebSocket frame after message `m`'s header, opened in place.
  static std::string_view open(const header& h, const char* m, bool masked) {
    return proto::open_text(const_cast<char*>(m) + sizeof h, h.len - sizeof h, masked);
  }

  /// `json` as one text frame (masked with `mask` unless null) behind a
  /// header of kind `kd` carrying `from`'s call and stamp, written to `e`.
  bool send_frame(endpoint& e, kind kd, const header& from, std::string_view json,
                  const std::uint8_t* mask) {
    char buf[4300];
    std::size_t len = sizeof from + proto::frame_text(buf + sizeof from, json, mask);
    make_header(buf, std::uint16_t(len), kd, from);
    return send_msg(ep_, e, buf, len, &c_->write_stalls);
  }

  /// A WebSocket client's masking key per frame (RFC 6455 5.3 wants it
  /// unpredictable; xorshift is the cost floor of drawing one).
  void next_mask(std::uint8_t* out) {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    std::memcpy(out, &rng_, 4);
  }

  static void make_header(char* buf, std::uint16_t len, kind kd, const header& from) {
    header h{len, std::uint8_t(kd), 0, from.call, from.ts_ns};
    std::memcpy(buf, &h, sizeof h);
  }

  void close_call(call& k) {
    for (endpoint* e : {&k.caller, &k.peer}) {
      if (e->fd >= 0)
        ::close(e->fd);
      e->fd = -1;
    }
    ++c_->closed;
  }

  int ep_;
  std::uint16_t peer_port_;
  relay_counters* c_;
  bool protocol_;
  std::uint64_t rng_ = 0x9e3779b97f4a7c15ull, marks_ = 0;
  std::vector<std::unique_ptr<call>> calls_;
};

} // namespace

void run_relay(int listen_fd, std::uint16_t peer_port, int stop_fd, relay_counters* counters,
               std::uint64_t deadline_ns, bool protocol) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{EPOLLIN, {}};
  ev.data.u64 = k_listen_tag;
  epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
  ev.data.u64 = k_stop_tag;
  epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev);
  relay r(ep, peer_port, counters, protocol);
  epoll_event evs[256];
  while (now_ns() < deadline_ns) { // bounded by the deadline
    int n = epoll_wait(ep, evs, 256, 500);
    for (int i = 0; i < n; ++i) {
      std::uint64_t tag = evs[i].data.u64;
      if (tag == k_stop_tag)
        return; // parent closed the pipe: run is over
      if (tag == k_listen_tag)
        r.accept_all(listen_fd);
      else
        r.on_event(tag, evs[i].events);
    }
  }
}

/// How the parent measures the relay (and itself, and the machine).
cpu_snap snapshot(int relay_pid) {
  cpu_snap s;
  s.wall_ns = now_ns();
  s.relay_stat_s = read_proc_cpu("/proc/" + std::to_string(relay_pid), &s.relay_sched_s);
  s.gen_stat_s = read_proc_cpu("/proc/self", &s.gen_sched_s);
  for (const auto& dir : ksoftirqd_dirs()) {
    double sched = 0;
    read_proc_cpu(dir, &sched);
    s.ksoftirqd_s += sched;
  }
  std::ifstream st("/proc/stat");
  std::string cpu;
  unsigned long long v[8] = {};
  st >> cpu;
  for (auto& x : v)
    st >> x; // user nice system idle iowait irq softirq steal
  double tck = double(sysconf(_SC_CLK_TCK));
  s.busy_s = double(v[0] + v[1] + v[2] + v[5] + v[6]) / tck;
  s.softirq_s = double(v[6]) / tck;
  s.steal_s = double(v[7]) / tck;
  return s;
}

} // namespace sb::floor
