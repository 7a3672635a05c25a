// Tenants, calls, transcripts and jobs through the store's API, on real files.
#include "storage/store.hpp"

#define BOOST_TEST_MODULE store
#include <boost/test/unit_test.hpp>

#include "store_fixtures.hpp"
#include "test_support.hpp"

using namespace sb::storage;
using sb::test::ended;
using sb::test::sample_call;
using sb::test::sample_job;
using sb::test::temp_dir;

namespace {

struct fresh_store {
  temp_dir dir;
  std::string path = dir.store_location("switchboard.db");
  std::unique_ptr<store> db = [this] {
    auto s = store::open(path);
    if (!s)
      throw std::runtime_error(s.err().message);
    return std::move(*s);
  }();
};

/// PostgreSQL's form of a trigger that makes every insert into `table` fail.
std::string reject_trigger(const std::string& table, const std::string& message) {
  return "CREATE FUNCTION reject_" + table +
         "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " RAISE EXCEPTION '" +
         message + "'; END $$; CREATE TRIGGER reject_" + table + " BEFORE INSERT ON " + table +
         " FOR EACH ROW EXECUTE FUNCTION reject_" + table + "();";
}

tenant acme() {
  tenant t;
  t.number = "+15551230000";
  t.name = "Acme Plumbing";
  t.greeting = "Thanks for calling Acme!";
  t.push_url = "https://acme.example/push";
  return t;
}

transcript_turn turn(const std::string& sid, int seq, const std::string& role,
                     const std::string& text) {
  transcript_turn t;
  t.call_sid = sid;
  t.seq = seq;
  t.role = sb::parse_speaker(role).value();
  t.text = text;
  t.started_at_ms = 1000 + seq * 100;
  t.ended_at_ms = 1050 + seq * 100;
  return t;
}

} // namespace

// -- tenants ------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(tenants, fresh_store)

BOOST_AUTO_TEST_CASE(adds_finds_lists_and_removes_tenants) {
  auto b = acme();
  b.number = "+15550001111";
  b.name = "Best Electric";
  b.timezone = "America/Chicago";
  BOOST_TEST_REQUIRE(db->add_tenant(acme()).ok());
  BOOST_TEST_REQUIRE(db->add_tenant(b).ok());

  auto found = db->find_tenant("+15550001111");
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->name == "Best Electric");
  BOOST_TEST((*found)->timezone == "America/Chicago");
  BOOST_TEST((*found)->hours == "mon-fri 08:00-17:00");
  BOOST_TEST((*found)->id > 0);

  auto all = db->list_tenants();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST_REQUIRE(all->size() == 2u);
  BOOST_TEST((*all)[0].number == "+15550001111"); // ordered by number
  BOOST_TEST((*all)[1].greeting == "Thanks for calling Acme!");

  auto removed = db->remove_tenant("+15550001111");
  BOOST_TEST_REQUIRE(removed.ok());
  BOOST_TEST(*removed);
  auto again = db->remove_tenant("+15550001111");
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(!*again);
  auto gone = db->find_tenant("+15550001111");
  BOOST_TEST_REQUIRE(gone.ok());
  BOOST_TEST(!gone->has_value());
}

BOOST_AUTO_TEST_CASE(round_trips_a_tenants_languages_and_greetings) {
  auto t = acme();
  t.language = "es";
  t.languages = {"en", "fr"};
  t.greetings = {{"es", "Gracias por llamar, ¿en qué puedo ayudarle?"},
                 {"fr", "Merci d'avoir appelé = bonjour"}};
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  auto found = db->find_tenant(t.number);
  BOOST_TEST_REQUIRE((found.ok() && found->has_value()));
  BOOST_TEST((*found)->language == "es");
  BOOST_TEST((*found)->languages == t.languages, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE((*found)->greetings.size() == 2u);
  BOOST_TEST((*found)->greetings.at("es") == t.greetings.at("es"));
  BOOST_TEST((*found)->greetings.at("fr") == t.greetings.at("fr")); // '=' in the text kept
  auto plain = acme();
  plain.number = "+15550002222";
  BOOST_TEST_REQUIRE(db->add_tenant(plain).ok());
  auto p = db->find_tenant(plain.number);
  BOOST_TEST_REQUIRE((p.ok() && p->has_value()));
  BOOST_TEST((*p)->languages.empty());
  BOOST_TEST((*p)->greetings.empty());
}

BOOST_AUTO_TEST_CASE(rejects_a_duplicate_number) {
  BOOST_TEST_REQUIRE(db->add_tenant(acme()).ok());
  auto dup = acme();
  dup.name = "Impostor";
  auto s = db->add_tenant(dup);
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.err().code == "exists");
  auto t = db->find_tenant(acme().number);
  BOOST_TEST_REQUIRE(t.ok());
  BOOST_TEST((*t)->name == "Acme Plumbing");
}

BOOST_AUTO_TEST_CASE(stores_sql_looking_strings_verbatim) {
  auto t = acme();
  t.name = "Robert'); DROP TABLE tenants;--";
  t.context = "50% off \"today\" \\ ? ?1 :name @x $y -- /* */ \xE2\x9C\x93";
  BOOST_TEST_REQUIRE(db->add_tenant(t).ok());
  auto found = db->find_tenant(t.number);
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->name == t.name);
  BOOST_TEST((*found)->context == t.context);
  auto all = db->list_tenants();
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 1u);
  // A string with an embedded NUL survives too (bound with its length).
  // PostgreSQL's text cannot hold a NUL: there the write is refused, saying
  // why, and nothing is written.
  std::string with_nul("before\0after", 12);
  auto appended = db->append_turn(turn("CA1", 0, "caller", with_nul));
  if (sb::test::testing_postgres()) {
    BOOST_TEST_REQUIRE(!appended.ok());
    BOOST_TEST(appended.err().message.find("NUL") != std::string::npos, appended.err().message);
    auto none = db->turns_for("CA1");
    BOOST_TEST_REQUIRE(none.ok());
    BOOST_TEST(none->empty());
    return;
  }
  BOOST_TEST_REQUIRE(appended.ok());
  auto turns = db->turns_for("CA1");
  BOOST_TEST_REQUIRE(turns.ok());
  BOOST_TEST((*turns)[0].text == with_nul);
  BOOST_TEST((*turns)[0].text.size() == 12u);
}

BOOST_AUTO_TEST_SUITE_END()

// -- calls and jobs -----------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(calls, fresh_store)

BOOST_AUTO_TEST_CASE(round_trips_a_call_with_its_turns_job_and_notification) {
  const std::string sid = "CA00000000000000000000000000000001";
  // A turn may be written before the webhook's row exists.
  BOOST_TEST_REQUIRE(db->append_turn(turn(sid, 1, "assistant", "Hi, Acme here.")).ok());
  BOOST_TEST_REQUIRE(db->begin_call(sample_call(sid)).ok());
  auto retried = sample_call(sid);
  retried.from = "+10000000000";
  BOOST_TEST_REQUIRE(db->begin_call(retried).ok()); // a retried webhook is ignored
  auto ringing = db->get_call(sid);
  BOOST_TEST_REQUIRE(ringing.ok());
  BOOST_TEST_REQUIRE(ringing->has_value());
  BOOST_TEST((*ringing)->status == sb::call_status::ringing);
  BOOST_TEST((*ringing)->from == "+15559870000");

  auto cut = turn(sid, 2, "assistant", "We could come on...");
  cut.full_text = "We could come on Tuesday morning at nine.";
  cut.truncated = true;
  cut.latency_ms = 640;
  cut.bridge_latency_ms = 12;
  BOOST_TEST_REQUIRE(db->append_turn(cut).ok());
  BOOST_TEST_REQUIRE(db->append_turn(turn(sid, 0, "caller", "My tap is leaking")).ok());
  auto recorded = db->set_recording(sid, "https://api.twilio.com/rec/RE1", 94, false);
  BOOST_TEST_REQUIRE(recorded.ok());
  BOOST_TEST(*recorded); // the call is known

  auto id = db->finalize_call(ended(sample_call(sid)), sample_job(), "https://acme.example/push",
                              R"({"job":1})");
  BOOST_TEST_REQUIRE(id.ok(), (id.ok() ? "" : id.err().message));

  auto call = db->get_call(sid);
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST_REQUIRE(call->has_value());
  const call_record& c = **call;
  BOOST_TEST(c.status == sb::call_status::completed);
  BOOST_TEST(c.end_reason == sb::end_reason::caller_hangup);
  BOOST_TEST(c.ended_at_ms == c.started_at_ms + 95'000);
  BOOST_TEST(c.usage.input_audio == 2200);
  BOOST_TEST(c.usage.output_audio == 4400);
  BOOST_TEST(c.usage.input_cached == 64);
  BOOST_TEST(c.usage.input_cached_text == 4);
  BOOST_TEST(c.usage.input_cached_audio == 60);
  BOOST_TEST(c.cost_usd == 0.353456); // REAL: the double comes back as written
  BOOST_TEST(c.barge_ins == 2);
  BOOST_TEST(c.openai_reconnects == 1);
  BOOST_TEST(c.recording_url == "https://api.twilio.com/rec/RE1"); // kept by finalize
  BOOST_TEST(c.recording_duration_s == 94);

  auto turns = db->turns_for(sid);
  BOOST_TEST_REQUIRE(turns.ok());
  BOOST_TEST_REQUIRE(turns->size() == 3u);
  BOOST_TEST((*turns)[0].role == sb::speaker::caller);
  BOOST_TEST((*turns)[1].text == "Hi, Acme here.");
  BOOST_TEST((*turns)[1].full_text == "Hi, Acme here."); // heard whole: both texts alike
  BOOST_TEST((*turns)[2].truncated);
  BOOST_TEST((*turns)[2].text == "We could come on...");
  BOOST_TEST((*turns)[2].full_text == "We could come on Tuesday morning at nine.");
  BOOST_TEST((*turns)[2].latency_ms == 640);
  BOOST_TEST((*turns)[2].bridge_latency_ms == 12);
  BOOST_TEST((*turns)[0].latency_ms == -1);

  auto j = db->job_for_call(sid);
  BOOST_TEST_REQUIRE(j.ok());
  BOOST_TEST_REQUIRE(j->has_value());
  BOOST_TEST((*j)->id == *id);
  BOOST_TEST((*j)->caller == "+15559870000");        // from the call
  BOOST_TEST((*j)->tenant_number == "+15551230000"); // from the call
  BOOST_TEST((*j)->details.service == "leaking kitchen tap");
  // The recording (our only recordings are <Record> voicemails) came before
  // the finalize: the card is a voicemail, to be listened to.
  BOOST_TEST((*j)->kind == "voicemail");
  BOOST_TEST((*j)->recording_url == "https://api.twilio.com/rec/RE1");
  BOOST_TEST((*j)->status == "needs_review");
  BOOST_TEST((*j)->created_at_ms > 0);
  auto same = db->get_job(*id);
  BOOST_TEST_REQUIRE(same.ok());
  BOOST_TEST_REQUIRE(same->has_value());
  BOOST_TEST((*same)->details.address == "12 Elm Street");

  auto outbox = db->list_outbox();
  BOOST_TEST_REQUIRE(outbox.ok());
  BOOST_TEST_REQUIRE(outbox->size() == 1u);
  BOOST_TEST((*outbox)[0].url == "https://acme.example/push");
  BOOST_TEST((*outbox)[0].body == R"({"job":1})");
  BOOST_TEST((*outbox)[0].attempts == 0);
}

BOOST_AUTO_TEST_CASE(a_job_card_carries_the_calls_cost) {
  const std::string sid = "CAcost";
  auto j = sample_job();
  j.cost_usd = 0.0421;
  auto id = db->finalize_call(ended(sample_call(sid)), j, "", "");
  BOOST_TEST_REQUIRE(id.ok(), (id.ok() ? "" : id.err().message));
  auto stored = db->get_job(*id);
  BOOST_TEST_REQUIRE(stored.ok());
  BOOST_TEST_REQUIRE(stored->has_value());
  BOOST_TEST((*stored)->cost_usd == 0.0421);
}

BOOST_AUTO_TEST_CASE(the_calls_language_is_stored_on_the_call_and_its_job_card) {
  const std::string sid = "CAlang";
  auto c = sample_call(sid);
  c.language = "es";
  auto id = db->finalize_call(ended(c), sample_job(), "", "");
  BOOST_TEST_REQUIRE(id.ok(), (id.ok() ? "" : id.err().message));
  auto call = db->get_call(sid);
  auto card = db->get_job(*id);
  BOOST_TEST_REQUIRE((call.ok() && call->has_value() && card.ok() && card->has_value()));
  BOOST_TEST((*call)->language == "es");
  BOOST_TEST((*card)->language == "es"); // the card had none of its own: the call's
}

BOOST_AUTO_TEST_CASE(a_recording_for_an_unknown_call_invents_no_call) {
  auto r = db->set_recording("CAnobody", "https://api.twilio.com/rec/RE9", 12, false);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(!*r);
  auto call = db->get_call("CAnobody");
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
  auto calls = db->list_calls(0);
  BOOST_TEST_REQUIRE(calls.ok());
  BOOST_TEST(calls->empty());
}

BOOST_AUTO_TEST_CASE(a_voicemail_for_an_unknown_call_writes_no_call_card_or_push) {
  BOOST_TEST_REQUIRE(db->add_tenant(acme()).ok()); // it has a push URL
  auto r = db->record_voicemail("CAnobody", "https://api.twilio.com/rec/RE7", 20, false,
                                [](const job&, const tenant&) { return std::string{"{}"}; });
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST((*r == store::recording_outcome::unknown_call));
  auto call = db->get_call("CAnobody");
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
  auto outbox = db->list_outbox();
  BOOST_TEST_REQUIRE(outbox.ok());
  BOOST_TEST(outbox->empty());
}

BOOST_AUTO_TEST_CASE(a_voicemail_recorded_before_its_call_is_finalized_makes_the_card_a_voicemail) {
  // The recording callback can beat the finalizer (a slow flush): the
  // recording waits on the call, and the card written later carries it.
  const std::string sid = "CAearly";
  BOOST_TEST_REQUIRE(db->begin_call(sample_call(sid)).ok());
  auto r = db->record_voicemail(sid, "https://api.twilio.com/rec/RE5", 17, true,
                                [](const job&, const tenant&) { return std::string{"{}"}; });
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST((*r == store::recording_outcome::on_call));
  BOOST_TEST_REQUIRE(db->finalize_call(ended(sample_call(sid)), sample_job(), "", "").ok());
  auto card = db->job_for_call(sid);
  BOOST_TEST_REQUIRE(card.ok());
  BOOST_TEST_REQUIRE(card->has_value());
  BOOST_TEST((*card)->kind == "voicemail");
  BOOST_TEST((*card)->recording_url == "https://api.twilio.com/rec/RE5");
  BOOST_TEST((*card)->recording_duration_s == 17);
  BOOST_TEST((*card)->status == "needs_review");
  BOOST_TEST((*card)->summary.rfind("Voicemail (17 s) from ", 0) == 0, (*card)->summary);
}

BOOST_AUTO_TEST_CASE(a_voicemail_cards_summary_is_in_the_businesss_language) {
  const std::string sid = "CAesvm";
  BOOST_TEST_REQUIRE(db->begin_call(sample_call(sid)).ok());
  BOOST_TEST_REQUIRE(
      db->record_voicemail(sid, "https://api.twilio.com/rec/RE8", 9, true,
                           [](const job&, const tenant&) { return std::string{"{}"}; })
          .ok());
  auto j = sample_job();
  j.language = "es";
  BOOST_TEST_REQUIRE(db->finalize_call(ended(sample_call(sid)), j, "", "").ok());
  auto card = db->job_for_call(sid);
  BOOST_TEST_REQUIRE((card.ok() && card->has_value()));
  const auto& summary = (*card)->summary;
  BOOST_TEST(summary.rfind("Mensaje de voz (9 s) de ", 0) == 0, summary);
  BOOST_TEST(summary.find(": escúchelo y devuelva la llamada.") != std::string::npos, summary);
}

BOOST_AUTO_TEST_CASE(a_recording_for_a_live_call_makes_its_row_and_survives_finalize) {
  // The webhook's begin_call may land after the callback: the call is live,
  // so its row is made, and the finalized row keeps the recording.
  const std::string sid = "CAlive";
  auto r = db->set_recording(sid, "https://api.twilio.com/rec/RE8", 30, true);
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(*r);
  BOOST_TEST_REQUIRE(db->finalize_call(ended(sample_call(sid)), sample_job(), "", "").ok());
  auto call = db->get_call(sid);
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST_REQUIRE(call->has_value());
  BOOST_TEST((*call)->recording_url == "https://api.twilio.com/rec/RE8");
  BOOST_TEST((*call)->recording_duration_s == 30);
}

BOOST_AUTO_TEST_CASE(finalizing_twice_updates_the_same_job) {
  const std::string sid = "CA2";
  auto first = db->finalize_call(ended(sample_call(sid)), sample_job(), "", "");
  BOOST_TEST_REQUIRE(first.ok());
  auto changed = sample_job("2026-12-03", "14:30");
  changed.status = "needs_review";
  auto second = db->finalize_call(ended(sample_call(sid)), changed, "", "");
  BOOST_TEST_REQUIRE(second.ok());
  BOOST_TEST(*first == *second);
  auto jobs = db->list_jobs(10);
  BOOST_TEST_REQUIRE(jobs.ok());
  BOOST_TEST_REQUIRE(jobs->size() == 1u);
  BOOST_TEST((*jobs)[0].details.preferred_time == "14:30");
  BOOST_TEST((*jobs)[0].status == "needs_review");
  auto outbox = db->list_outbox(); // no push_url: nothing queued
  BOOST_TEST_REQUIRE(outbox.ok());
  BOOST_TEST(outbox->empty());
}

BOOST_AUTO_TEST_CASE(finalize_writes_nothing_when_the_job_insert_fails) {
  const std::string sid = "CA3";
  BOOST_TEST_REQUIRE(db->begin_call(sample_call(sid)).ok());
  {
    // Failure injection from a second connection: the job insert aborts
    // after the call row was already upserted inside the transaction.
    sb::test::raw_exec(path,
                       "CREATE TRIGGER reject_jobs BEFORE INSERT ON jobs "
                       "BEGIN SELECT RAISE(ABORT, 'injected job failure'); END",
                       reject_trigger("jobs", "injected job failure"));
  }
  auto id = db->finalize_call(ended(sample_call(sid)), sample_job(), "https://x.example/p", "{}");
  BOOST_TEST_REQUIRE(!id.ok());
  BOOST_TEST(id.err().code == sb::test::backend_error());
  BOOST_TEST(id.err().message.find("injected job failure") != std::string::npos, id.err().message);
  auto call = db->get_call(sid);
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST_REQUIRE(call->has_value());
  BOOST_TEST((*call)->status == sb::call_status::ringing); // the upsert was rolled back
  BOOST_TEST((*call)->ended_at_ms == 0);
  auto outbox = db->list_outbox();
  BOOST_TEST_REQUIRE(outbox.ok());
  BOOST_TEST(outbox->empty());
  // The store is still usable afterwards (no transaction left open).
  BOOST_TEST(db->add_tenant(acme()).ok());
}

BOOST_AUTO_TEST_CASE(finalize_writes_nothing_when_the_outbox_insert_fails) {
  const std::string sid = "CA4";
  {
    sb::test::raw_exec(path,
                       "CREATE TRIGGER reject_outbox BEFORE INSERT ON notification_outbox "
                       "BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END",
                       reject_trigger("notification_outbox", "injected outbox failure"));
  }
  auto id = db->finalize_call(ended(sample_call(sid)), sample_job(), "https://x.example/p", "{}");
  BOOST_TEST_REQUIRE(!id.ok());
  auto call = db->get_call(sid);
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
  auto job = db->job_for_call(sid);
  BOOST_TEST_REQUIRE(job.ok());
  BOOST_TEST(!job->has_value());
  // Without a push URL no outbox row is needed, and the same call goes through.
  auto again = db->finalize_call(ended(sample_call(sid)), sample_job(), "", "");
  BOOST_TEST(again.ok());
}

BOOST_AUTO_TEST_CASE(refuses_a_job_for_another_call) {
  auto j = sample_job();
  j.call_sid = "CA-other";
  auto id = db->finalize_call(ended(sample_call("CA5")), j, "", "");
  BOOST_TEST_REQUIRE(!id.ok());
  BOOST_TEST(id.err().code == "invalid");
  auto call = db->get_call("CA5");
  BOOST_TEST_REQUIRE(call.ok());
  BOOST_TEST(!call->has_value());
}

BOOST_AUTO_TEST_CASE(lists_calls_and_jobs_newest_first_with_a_limit) {
  for (int i = 0; i < 5; ++i) {
    auto c = ended(sample_call("CA-list-" + std::to_string(i)));
    c.started_at_ms += i * 60'000;
    auto j = sample_job();
    j.created_at_ms = c.started_at_ms + 100'000;
    BOOST_TEST_REQUIRE(db->finalize_call(c, j, "", "").ok());
  }
  auto calls = db->list_calls(3);
  BOOST_TEST_REQUIRE(calls.ok());
  BOOST_TEST_REQUIRE(calls->size() == 3u);
  BOOST_TEST((*calls)[0].call_sid == "CA-list-4");
  BOOST_TEST((*calls)[2].call_sid == "CA-list-2");
  auto jobs = db->list_jobs(2);
  BOOST_TEST_REQUIRE(jobs.ok());
  BOOST_TEST_REQUIRE(jobs->size() == 2u);
  BOOST_TEST((*jobs)[0].call_sid == "CA-list-4");
  auto everything = db->list_jobs(0);
  BOOST_TEST_REQUIRE(everything.ok());
  BOOST_TEST(everything->size() == 5u);
}

BOOST_AUTO_TEST_CASE(jobs_on_returns_a_tenants_timed_jobs_of_one_day) {
  auto add = [&](const std::string& sid, const std::string& tenant, const std::string& date,
                 const std::string& time) {
    auto c = ended(sample_call(sid));
    c.tenant_number = tenant;
    BOOST_TEST_REQUIRE(db->finalize_call(c, sample_job(date, time), "", "").ok());
  };
  add("CA-a", "+15551230000", "2026-12-01", "13:00");
  add("CA-b", "+15551230000", "2026-12-01", "09:30");
  add("CA-c", "+15551230000", "2026-12-01", ""); // no time: not a booking slot
  add("CA-d", "+15551230000", "2026-12-02", "09:30");
  add("CA-e", "+15550001111", "2026-12-01", "10:00");
  auto jobs = db->jobs_on("+15551230000", "2026-12-01");
  BOOST_TEST_REQUIRE(jobs.ok());
  BOOST_TEST_REQUIRE(jobs->size() == 2u);
  BOOST_TEST((*jobs)[0].call_sid == "CA-b"); // by time
  BOOST_TEST((*jobs)[1].call_sid == "CA-a");
  auto none = db->jobs_on("+15551230000", "2026-12-05");
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none->empty());
}

BOOST_AUTO_TEST_SUITE_END()
