// The introspection actor's view of a call's transcript: a reply cut by a
// barge-in shows what the caller heard and, apart, what was generated but
// not heard (the transcript actor sends the cut line for the reply's item).
#include "console/introspection.hpp"

#define BOOST_TEST_MODULE console_introspection
#include <boost/test/unit_test.hpp>

#include <caf/all.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

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
