// The introspection actor's view of a call's transcript: a reply cut by a
// barge-in shows what the caller heard and, apart, what was generated but
// not heard (the transcript actor sends the cut line for the reply's item).
// And its polling: call actors report at the slow pace while no console
// reads, and at the console's pace, fresh from the first snapshot, while one
// does.
#include "actors/introspect.hpp"
#include "console/introspection.hpp"
#include "net/ws_connection.hpp"
#include "tests/support/eventually.hpp"

#define BOOST_TEST_MODULE console_introspection
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace sb::actors;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  introspection_actor view = sb::console::spawn_introspection(sys);

  ~fixture() { caf::anon_send_exit(view, caf::exit_reason::user_shutdown); }

  /// The view as the console feed would push it now.
  rapidjson::Document snapshot() {
    caf::scoped_actor self{sys};
    std::string json;
    self->request(view, 5s, caf::get_atom::value)
        .receive([&](std::string& s) { json = std::move(s); },
                 [](caf::error& e) { BOOST_FAIL("snapshot: " << caf::to_string(e)); });
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    BOOST_REQUIRE(d.IsObject());
    return d;
  }
};

call_line line(std::string kind, std::string text, std::string item_id = {},
               std::string unheard = {}) {
  return call_line{"CAcut", std::move(kind),    std::move(text),   640,
                   1000,    std::move(item_id), std::move(unheard)};
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_cut_reply_replaces_its_line_with_heard_and_unheard_parts, fixture) {
  const std::string full = "We could come on Tuesday morning at nine.";
  caf::anon_send(view, line("caller", "My tap is leaking."));
  caf::anon_send(view, line("assistant", full, "item_7"));
  caf::anon_send(view, line("barge_in", "caller interrupted after 900 ms of 2400 ms"));
  caf::anon_send(view, line("assistant", "We could come on", "item_7", "Tuesday morning at nine."));

  auto d = snapshot();
  BOOST_REQUIRE(d["calls"].Size() == 1u);
  const auto& lines = d["calls"][0]["lines"];
  BOOST_REQUIRE(lines.Size() == 3u); // replaced in place, not appended
  const auto& reply = lines[1];
  BOOST_TEST(std::string{reply["kind"].GetString()} == "assistant");
  BOOST_TEST(std::string{reply["text"].GetString()} == "We could come on");
  BOOST_TEST(std::string{reply["unheard"].GetString()} == "Tuesday morning at nine.");
  BOOST_TEST(reply["latencyMs"].GetInt() == 640);
  BOOST_TEST(std::string{lines[2]["kind"].GetString()} == "barge_in");
}

BOOST_FIXTURE_TEST_CASE(lines_without_an_item_are_appended_and_heard_whole, fixture) {
  caf::anon_send(view, line("assistant", "Hello, Acme here."));
  caf::anon_send(view, line("assistant", "Hello, Acme here."));
  auto d = snapshot();
  BOOST_REQUIRE(d["calls"].Size() == 1u);
  const auto& lines = d["calls"][0]["lines"];
  BOOST_REQUIRE(lines.Size() == 2u);
  BOOST_TEST(std::string{lines[0]["unheard"].GetString()}.empty());
}

// A child's report or a transcript line can reach the view before the
// supervisor's first call report (seen in the browser test under ASan): the
// call is listed at once, under its own SID, not as a blank call that the
// page would show apart and then drop.
BOOST_FIXTURE_TEST_CASE(a_call_seen_before_its_supervisor_reports_is_listed_under_its_sid,
                        fixture) {
  caf::anon_send(view, line("caller", "Hello?"));
  auto d = snapshot();
  BOOST_REQUIRE(d["calls"].Size() == 1u);
  BOOST_TEST(std::string{d["calls"][0]["callSid"].GetString()} == "CAcut");
}

namespace {

/// A call actor as far as the console sees one: introspected() (the real
/// wrapper every call actor uses) around one message; it counts the reports
/// it was asked for.
using probe_actor =
    caf::typed_actor<replies_to<caf::get_atom>::with<int>>::extend_with<introspected_actor>;

struct probe_state {
  actor_stats stats;
  int reports = 0;
};

probe_actor::behavior_type probe(probe_actor::stateful_pointer<probe_state> self,
                                 introspection_actor sink) {
  services svc;
  svc.introspection = std::move(sink);
  svc.call_sid = "CApoll";
  return introspected<probe_actor::behavior_type>(
      self, svc, "openai_socket", &self->state.stats,
      [self] {
        ++self->state.reports;
        return std::string{"ready"};
      },
      [self](caf::get_atom) { return self->state.reports; });
}

/// The far end of a console feed: keeps the frames it was sent.
class feed_capture : public sb::net::ws_connection {
public:
  void send_text(std::string frame) override {
    std::lock_guard<std::mutex> lock{mu_};
    frames_.push_back(std::move(frame));
  }
  void close() override {}
  void abort() override {}
  void set_handlers(sb::net::ws_handlers) override {}
  void resume_reading() override {}
  std::size_t queued_bytes() const override { return 0; }
  std::string remote_endpoint() const override { return "127.0.0.1:1"; }

  std::vector<std::string> frames() const {
    std::lock_guard<std::mutex> lock{mu_};
    return frames_;
  }

private:
  mutable std::mutex mu_;
  std::vector<std::string> frames_;
};

struct polling_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  introspection_actor view;
  probe_actor actor;

  explicit polling_fixture(sb::console::introspection_options opts)
      : view{sb::console::spawn_introspection(sys, opts)}, actor{sys.spawn(probe, view)} {}

  ~polling_fixture() {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(view, caf::exit_reason::user_shutdown);
  }

  int reports() {
    caf::scoped_actor self{sys};
    int n = -1;
    self->request(actor, 5s, caf::get_atom::value)
        .receive([&](int r) { n = r; },
                 [](caf::error& e) { BOOST_FAIL("reports: " << caf::to_string(e)); });
    return n;
  }

  /// Waits (bounded) until the actor has reported at least `n` times.
  int wait_reports(int n, std::chrono::milliseconds limit = 10s) {
    int r = 0;
    sb::test::eventually([&] { return (r = reports()) >= n; }, limit, 20ms);
    return r;
  }
};

/// The probe's row in a snapshot frame; null if the frame has none.
const rapidjson::Value* probe_row(const rapidjson::Document& d) {
  if (!d.IsObject() || !d["calls"].IsArray())
    return nullptr;
  for (const auto& c : d["calls"].GetArray())
    if (std::string{c["callSid"].GetString()} == "CApoll")
      for (const auto& a : c["actors"].GetArray())
        if (std::string{a["name"].GetString()} == "openai_socket")
          return &a;
  return nullptr;
}

} // namespace

// Nobody reads: the actor is asked at the idle pace (400 ms here), not the
// console's (20 ms here, which would be ~50 reports in this second).
BOOST_AUTO_TEST_CASE(unwatched_call_actors_are_polled_at_the_idle_pace) {
  polling_fixture f{{20ms, 20ms, 400ms}};
  BOOST_TEST(f.wait_reports(2) >= 2); // registered, then polled at least once
  std::this_thread::sleep_for(1000ms);
  int r = f.reports();
  BOOST_TEST(r <= 2 + 3 + 1); // at most one poll per 400 ms (+1: rounding of ticks)
}

// A console opens after a long silence: the actor is asked at once, the
// first snapshot already shows it alive with its state (not "down" because
// its last report is old), and from then on it is asked at the console's
// pace.
BOOST_AUTO_TEST_CASE(the_first_reader_gets_a_fresh_view_then_the_fast_pace) {
  polling_fixture f{{20ms, 50ms, 60s}};
  BOOST_TEST(f.wait_reports(1) == 1); // registered; no idle poll for a minute
  std::this_thread::sleep_for(500ms); // longer than the console's stale bound (150 ms)
  auto feed = std::make_shared<feed_capture>();
  caf::anon_send(f.view, feed_subscribe{feed});
  sb::test::eventually([&] { return !feed->frames().empty(); }, 10s);
  auto frames = feed->frames();
  BOOST_REQUIRE(!frames.empty());
  rapidjson::Document first;
  first.Parse(frames.front().c_str(), frames.front().size());
  const auto* row = probe_row(first);
  BOOST_REQUIRE(row != nullptr);
  BOOST_TEST((*row)["alive"].GetBool());
  BOOST_TEST(std::string{(*row)["state"].GetString()} == "ready");
  BOOST_TEST(f.wait_reports(6) >= 6); // polled every 50 ms now, not once a minute
  caf::anon_send(f.view, feed_unsubscribe{reinterpret_cast<std::uintptr_t>(feed.get())});
}
