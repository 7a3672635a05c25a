// The calendar's capacity across live calls (issue 17.6): real storage (a
// SQLite file) behind the storage actor, the process's slot_holds actor, and
// one tool_call actor per call, each with a stand-in supervisor. A tenant
// whose slots take two bookings accepts two calls booking the same slot and
// refuses the third; another tenant's same slot is unaffected; stored job
// cards count as bookings.
#include "actors/tool_call.hpp"

#define BOOST_TEST_MODULE slot_capacity
#include <boost/test/unit_test.hpp>

#include "actors/slot_holds.hpp"
#include "actors/storage_actor.hpp"
#include "common/log.hpp"

#include <caf/all.hpp>
#include <rapidjson/document.h>

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

constexpr const char* plumbers = "+15551230000"; // capacity 2
constexpr const char* painters = "+15559990000"; // capacity 1
const std::string wednesday = "2030-01-02";

struct results {
  std::mutex mu;
  std::vector<tool_result> got;
  std::vector<tool_result> snapshot() {
    std::lock_guard lock{mu};
    return got;
  }
};

sb::storage::tenant tenant(const char* number, int capacity) {
  sb::storage::tenant t;
  t.number = number;
  t.hours = "mon-sun 08:00-17:00";
  t.slot_capacity = capacity;
  return t;
}

struct fixture {
  std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sb-capacity-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    return std::filesystem::path{tmpl};
  }();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor parent{sys}; // the tool actors' parent (monitored and linked)
  storage_actor storage;
  slot_holds_actor holds;
  services svc;
  std::vector<caf::actor> supervisors;
  std::vector<tool_call_actor> tools;

  /// Stores `booked` job cards of `number` at 10:00 first (calls that ended).
  void start(const std::vector<std::string>& booked_tenants = {}) {
    sb::log::set_level(sb::log::level::off);
    auto db = sb::storage::store::open((dir / "switchboard.db").string());
    BOOST_REQUIRE(db.ok());
    int n = 0;
    for (const auto& number : booked_tenants) {
      sb::storage::call_record c;
      c.call_sid = "CAstored" + std::to_string(++n);
      c.tenant_number = number;
      sb::storage::job j;
      j.call_sid = c.call_sid;
      j.tenant_number = number;
      j.details.preferred_date = wednesday;
      j.details.preferred_time = "10:00";
      BOOST_REQUIRE((*db)->finalize_call(c, j, "", "").ok());
    }
    storage = spawn_storage(sys, std::shared_ptr<sb::storage::store>{std::move(*db)});
    holds = spawn_slot_holds(sys, 60);
    auto c = std::make_shared<sb::config>();
    c->tools.timeout = 5000ms;
    svc.cfg = c;
    svc.storage = storage;
    svc.holds = holds;
  }

  /// A new live call of `t`: its tool actor, answering into `out`.
  tool_call_actor call(const sb::storage::tenant& t, std::shared_ptr<results> out) {
    auto s = svc;
    s.call_sid = "CAlive" + std::to_string(tools.size() + 1);
    // One spawn argument: CAF 0.17's init_fun_factory binds a null reference
    // for a function actor with none (tests/actors/slot_holds_actor_test.cpp).
    supervisors.push_back(sys.spawn(
        [](caf::event_based_actor*, std::shared_ptr<results> into) -> caf::behavior {
          return {[into](tool_result& r) {
            std::lock_guard lock{into->mu};
            into->got.push_back(std::move(r));
          }};
        },
        out));
    tools.push_back(spawn_tool_call(parent.ptr(), s, t,
                                    caf::actor_cast<call_supervisor_actor>(supervisors.back())));
    return tools.back();
  }

  /// The JSON the model reads for `tool` run with `args` on a new call of `t`.
  rapidjson::Document ask(tool_call_actor& tool, const std::string& name, const std::string& args,
                          const std::shared_ptr<results>& out) {
    auto before = out->snapshot().size();
    caf::anon_send(tool, tool_request{"call_" + std::to_string(before), name, args});
    for (int i = 0; i < 500 && out->snapshot().size() <= before; ++i)
      std::this_thread::sleep_for(10ms);
    auto got = out->snapshot();
    BOOST_REQUIRE_MESSAGE(got.size() > before, name << " did not answer within 5 s");
    rapidjson::Document d;
    d.Parse(got.back().output.c_str());
    BOOST_REQUIRE(d.IsObject());
    return d;
  }

  /// A new call of `t` books 10:00: the record tool's answer.
  rapidjson::Document books_ten(const sb::storage::tenant& t) {
    auto out = std::make_shared<results>();
    auto tool = call(t, out);
    return ask(tool, "record_booking_details",
               R"({"customer_name":"Ann","preferred_date":")" + wednesday +
                   R"(","preferred_time":"10:00"})",
               out);
  }

  rapidjson::Document checks_ten(const sb::storage::tenant& t) {
    auto out = std::make_shared<results>();
    auto tool = call(t, out);
    return ask(tool, "check_availability", R"({"date":")" + wednesday + R"(","time":"10:00"})",
               out);
  }

  ~fixture() {
    for (auto& t : tools)
      caf::anon_send_exit(t, caf::exit_reason::user_shutdown);
    for (auto& s : supervisors)
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(holds, caf::exit_reason::user_shutdown);
    caf::anon_send(storage, shutdown_atom::value);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(two_live_calls_book_a_slot_of_capacity_two_and_the_third_is_refused,
                        fixture) {
  start();
  auto plumbing = tenant(plumbers, 2);
  BOOST_TEST(books_ten(plumbing)["ok"].GetBool());
  BOOST_TEST(books_ten(plumbing)["ok"].GetBool());
  auto third = books_ten(plumbing);
  BOOST_TEST(!third["ok"].GetBool());
  BOOST_TEST(std::string{third["error"].GetString()}.find("another caller") != std::string::npos);
  BOOST_TEST(std::string{third["next_free_time"].GetString()} == "11:00");
  auto check = checks_ten(plumbing);
  BOOST_TEST(!check["available"].GetBool());
  BOOST_TEST(std::string{check["reason"].GetString()} == "held by another caller");
  // Another tenant's calendar is its own.
  auto painting = tenant(painters, 1);
  BOOST_TEST(checks_ten(painting)["available"].GetBool());
}

BOOST_FIXTURE_TEST_CASE(stored_bookings_fill_a_slot_and_the_booking_tool_refuses_it, fixture) {
  start({plumbers, plumbers, painters});
  auto plumbing = tenant(plumbers, 2);
  auto check = checks_ten(plumbing);
  BOOST_TEST(!check["available"].GetBool());
  BOOST_TEST(std::string{check["reason"].GetString()} == "already booked");
  auto third = books_ten(plumbing);
  BOOST_TEST(!third["ok"].GetBool());
  BOOST_TEST(std::string{third["error"].GetString()}.find("fully booked") != std::string::npos);
  // The painters have one stored booking of capacity 2 now: one place left.
  auto painting = tenant(painters, 2);
  BOOST_TEST(books_ten(painting)["ok"].GetBool());
  BOOST_TEST(!books_ten(painting)["ok"].GetBool());
}
