// The tool_call actor: every function call of the model is answered exactly
// once, within tools.timeout. A tool slower than the timeout answers the
// timeout output, and its late run is dropped: it neither answers again nor
// starts over. Real storage (a SQLite file) behind the real storage actor;
// the supervisor is a stand-in that records what it is sent.
#include "actors/tool_call.hpp"

#define BOOST_TEST_MODULE tool_call_actor
#include <boost/test/unit_test.hpp>

#include "actors/storage_actor.hpp"
#include "common/log.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace sb::actors;
using namespace std::chrono_literals;

namespace {

struct results {
  std::mutex mu;
  std::vector<tool_result> got;
  std::vector<tool_result> snapshot() {
    std::lock_guard lock{mu};
    return got;
  }
};

struct fixture {
  std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sb-tools-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    return std::filesystem::path{tmpl};
  }();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor parent{sys}; // the tool actor's parent (monitored and linked) for the test
  std::shared_ptr<results> seen = std::make_shared<results>();
  storage_actor storage;
  tool_call_actor tools;
  caf::actor supervisor;

  /// The actors, with check_availability taking `delay` and tools.timeout `timeout`.
  void start(std::chrono::milliseconds delay, std::chrono::milliseconds timeout) {
    sb::log::set_level(sb::log::level::off);
    auto db = sb::storage::store::open((dir / "switchboard.db").string());
    BOOST_REQUIRE(db.ok());
    storage = spawn_storage(sys, std::shared_ptr<sb::storage::store>{std::move(*db)});
    auto c = std::make_shared<sb::config>();
    c->tools.check_availability_delay = delay;
    c->tools.timeout = timeout;
    services svc;
    svc.cfg = c;
    svc.storage = storage;
    svc.call_sid = "CAtools";
    // One spawn argument: CAF 0.17's init_fun_factory binds a null reference
    // for a function actor with none (tests/actors/slot_holds_actor_test.cpp).
    supervisor = sys.spawn(
        [](caf::event_based_actor*, std::shared_ptr<results> out) -> caf::behavior {
          return {[out](tool_result& r) {
            std::lock_guard lock{out->mu};
            out->got.push_back(std::move(r));
          }};
        },
        seen);
    sb::storage::tenant t;
    t.number = "+15551230000";
    t.hours = "mon-sun 00:00-23:59";
    tools =
        spawn_tool_call(parent.ptr(), svc, t, caf::actor_cast<call_supervisor_actor>(supervisor));
  }

  ~fixture() {
    caf::anon_send_exit(tools, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    caf::anon_send(storage, shutdown_atom::value);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// Polls until `n` results arrived (bounded: 5 s).
  bool wait_for_results(std::size_t n) {
    for (int i = 0; i < 500; ++i) {
      if (seen->snapshot().size() >= n)
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

const tool_request check_ten{"call_1", "check_availability",
                             R"({"date":"2030-01-02","time":"10:00"})"};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_tool_slower_than_the_timeout_answers_the_timeout_output_once, fixture) {
  start(600ms, 200ms);
  caf::anon_send(tools, check_ten);
  BOOST_REQUIRE(wait_for_results(1));
  auto first = seen->snapshot().front();
  BOOST_TEST(first.call_id == "call_1");
  BOOST_TEST(!first.ok);
  BOOST_TEST(first.output == R"({"ok":false,"error":"the tool timed out"})");
  // The tool's late run (at 600 ms) and any timeout after it must not answer
  // again: three delays' worth of waiting, bounded.
  std::this_thread::sleep_for(1800ms);
  BOOST_TEST(seen->snapshot().size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_tool_within_the_timeout_answers_its_own_output_once, fixture) {
  start(0ms, 500ms);
  caf::anon_send(tools, check_ten);
  BOOST_REQUIRE(wait_for_results(1));
  auto first = seen->snapshot().front();
  BOOST_TEST(first.ok);
  BOOST_TEST(first.output.find(R"("available":true)") != std::string::npos, first.output);
  std::this_thread::sleep_for(700ms); // past the timeout: it must not answer as well
  BOOST_TEST(seen->snapshot().size() == 1u);
}
