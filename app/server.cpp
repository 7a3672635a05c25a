#include "app/server.hpp"

#include "actors/call_registry.hpp"
#include "actors/messages.hpp"
#include "actors/notifier.hpp"
#include "actors/slot_holds.hpp"
#include "actors/storage_actor.hpp"
#include "app/routes.hpp"
#include "app/tenant_notify.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "console/introspection.hpp"
#include "console/routes.hpp"
#include "net/connections.hpp"
#include "net/http_server.hpp"
#include "net/io.hpp"
#include "net/ws_client.hpp"
#include "recording/retention.hpp"
#include "storage/store.hpp"
#include "telephony/twilio_rest_client.hpp"

#include <caf/all.hpp>

#include <thread>

namespace sb::app {

struct server::impl {
  std::shared_ptr<const config> cfg;
  // Order matters (docs/stack.md): the io loop exists before the actor
  // system and is stopped only after every actor is done.
  std::unique_ptr<net::io_runtime> io;
  std::unique_ptr<caf::actor_system_config> caf_cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::services svc;
  std::shared_ptr<net::http_server> http;
  std::shared_ptr<net::http_server> metrics_http; ///< console.metrics_own_port only
  caf::actor sweeper;                             ///< the daily recording retention sweep
  /// PostgreSQL: tenant changes by any node reach svc.tenants (app/tenant_notify.hpp).
  std::unique_ptr<storage::pg_listener> tenant_listener;
  bool stopped = false;
};

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

server::~server() {
  shutdown();
}

namespace {

/// Asks storage for the recording retention sweep once a day (issue 17.3;
/// the first runs at start, in server::start, before storage takes the store).
caf::behavior retention_sweeper(caf::event_based_actor* self, actors::storage_actor storage,
                                int retention_days) {
  constexpr auto day = std::chrono::hours{24};
  self->delayed_send(self, day, actors::tick_atom::value);
  return {[=](actors::tick_atom) {
    caf::anon_send(storage, actors::sweep_recordings{retention_days});
    self->delayed_send(self, day, actors::tick_atom::value);
  }};
}

/// CAF 0.17 keeps a reference to an actor system's logger in a thread_local
/// of every thread that made the system or a scoped_actor on it
/// (src/logger.cpp `current_logger`; actor_system.cpp and scoped_actor.cpp
/// set it), and ~actor_system waits until every such reference is gone. A
/// server made or asked on one thread and destroyed on another would wait
/// for the first thread to end, forever if it is a test's main thread (seen:
/// e2e_shutdown_test). So a thread drops its reference as soon as it is
/// done with the system; the destroying thread's is dropped by
/// ~actor_system itself. CAF's own logging is compiled out (log level QUIET
/// in Debian's build), so nothing is lost.
struct caf_logger_released {
  caf_logger_released() = default;
  caf_logger_released(const caf_logger_released&) = delete;
  caf_logger_released& operator=(const caf_logger_released&) = delete;
  ~caf_logger_released() { caf::logger::set_current_actor_system(nullptr); }
};

/// CAF's configuration for this server: idle workers that sleep instead of
/// spinning, and call_error rendered by name.
std::unique_ptr<caf::actor_system_config> actor_config() {
  auto c = std::make_unique<caf::actor_system_config>();
  c->set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
  // An idle CAF worker polls its queue 100 times, then 500 times more with a
  // 50 us sleep between polls (policy/work_stealing.hpp), before it waits on
  // its condition variable. Audio no longer passes through actors
  // (media_relay), so the workers are mostly idle between control events and
  // that polling was ~6,000 clock_nanosleep calls a second at 100 calls
  // (strace -c): skip the sleeping phase and wait on the condition variable.
  c->set("work-stealing.moderate-poll-attempts", size_t{0});
  // A sleeping worker still wakes every relaxed-sleep-duration (10 ms by
  // default) to try to steal from the others. Work sent to it (from the io
  // thread, round robin) wakes it at once, and a worker that has just run a
  // job steals before it sleeps; the timed wake-up only matters while one
  // worker has a queue and the other sleeps. Every job here is short (the
  // storage actor, the one that blocks, has its own thread), so wake every
  // 100 ms: an idle server used 11 ms of CPU a second on these wake-ups,
  // now 1 ms (bench/RESULTS.md).
  c->set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds{100}});
  // caf::to_string of a call_error names it (the template overload of
  // add_error_category does not compile in CAF 0.17.6).
  c->add_error_category(actors::call_error_category,
                        [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                          std::string s = to_string(static_cast<call_error>(code));
                          if (ctx.match_elements<std::string>())
                            s += ": " + ctx.get_as<std::string>(0);
                          return s;
                        });
  return c;
}

} // namespace

result<std::unique_ptr<server>> server::start(config cfg, actors::call_observer observer) {
  log::set_format(cfg.log.format); // [log] format: every line from here on
  auto p = std::make_unique<impl>();
  auto db = storage::store::open(cfg.storage.path);
  if (!db)
    return db.err();
  // The OpenAI leg's trust store is loaded now, once: a bad openai.ca_file
  // stops the server here, not every call, and the first call does not pay
  // for reading the system store (net/ws_client.hpp).
  if (cfg.openai.realtime_url.rfind("wss://", 0) == 0)
    if (auto tls = net::prepare_tls_client(cfg.openai.ca_file); !tls)
      return error{"openai_tls",
                   "cannot load " +
                       (cfg.openai.ca_file.empty() ? std::string("the system CA store")
                                                   : "openai.ca_file " + cfg.openai.ca_file) +
                       " for the OpenAI leg: " + tls.err().message};
  p->io = std::make_unique<net::io_runtime>(cfg.server.io_threads);
  p->caf_cfg = actor_config();
  caf_logger_released released; // by this thread, once the server is made
  p->sys = std::make_unique<caf::actor_system>(*p->caf_cfg);
  p->cfg = std::make_shared<const config>(std::move(cfg));
  auto& svc = p->svc;
  svc.cfg = p->cfg;
  svc.io = &p->io->context();
  svc.observer = std::move(observer);
  svc.metrics = std::make_shared<metrics::switchboard_metrics>(p->cfg->server.node_id);
  svc.tenants = std::make_shared<actors::tenant_cache>(
      p->cfg->storage.tenant_cache_ttl.count(), p->cfg->storage.tenant_cache_pushed_ttl.count());
  p->tenant_listener = listen_for_tenant_changes(*p->cfg, svc.tenants);
  svc.admission = std::make_shared<actors::call_admission>();
  // Transfers need the account: without its SID and token nobody can be put through.
  if (!p->cfg->twilio.account_sid.empty() && !p->cfg->twilio.auth_token.empty())
    svc.rest = std::make_shared<const telephony::twilio_rest_client>(
        p->io->context(), telephony::rest_options_from(p->cfg->twilio));
  // The console's introspection actor exists only with a console token.
  if (!p->cfg->console.token.empty()) {
    console::introspection_options opts; // the push interval stays its default
    opts.report_interval = p->cfg->call.report_interval;
    opts.report_idle_interval = p->cfg->call.report_idle_interval;
    svc.introspection = console::spawn_introspection(*p->sys, opts);
  }
  svc.recorder = std::make_shared<recording::wav_writer>();
  if (auto swept = recording::sweep(**db, p->cfg->recording.retention_days, now_ms()); !swept)
    log::warn("Server", "Recording retention sweep: " + swept.err().message);
  actors::storage_actor_options so;
  so.retry.initial_backoff = p->cfg->storage.retry_initial;
  so.retry.max_backoff = p->cfg->storage.retry_max;
  so.retry.max_pending = static_cast<std::size_t>(p->cfg->storage.max_pending_writes);
  so.metrics = svc.metrics;
  so.node_id = p->cfg->server.node_id;
  svc.storage = actors::spawn_storage(*p->sys, std::shared_ptr<storage::store>(std::move(*db)),
                                      std::move(so));
  if (p->cfg->recording.retention_days > 0)
    p->sweeper = p->sys->spawn(retention_sweeper, svc.storage, p->cfg->recording.retention_days);
  svc.notifier = actors::spawn_notifier(*p->sys, svc);
  svc.holds = actors::spawn_slot_holds(*p->sys, p->cfg->tools.slot_minutes);
  svc.registry = actors::spawn_registry(*p->sys, svc);

  const auto& sc = p->cfg->server;
  net::http_server_options opts;
  opts.bind_address = sc.bind_address;
  opts.port = sc.port;
  opts.tls_cert_file = sc.tls_cert;
  opts.tls_key_file = sc.tls_key;
  opts.max_header_bytes = sc.max_header_bytes;
  opts.max_body_bytes = sc.max_body_bytes;
  opts.read_timeout = sc.read_timeout;
  opts.ws.max_frame_bytes = p->cfg->twilio.max_frame_bytes;
  opts.ws.max_queued_bytes = p->cfg->twilio.max_queued_bytes;
  auto http = net::http_server::start(p->io->context(), opts, make_routes(svc));
  if (http && p->cfg->console.metrics_own_port) {
    net::http_server_options mopts;
    mopts.bind_address = sc.bind_address;
    mopts.port = p->cfg->console.metrics_port;
    auto m = net::http_server::start(p->io->context(), mopts,
                                     console::metrics_only_handlers(svc.metrics));
    if (m)
      p->metrics_http = *m;
    else
      http = m.err();
  }
  if (!http) {
    if (svc.introspection)
      caf::anon_send(svc.introspection, actors::shutdown_atom::value);
    caf::anon_send_exit(svc.registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(svc.notifier, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(svc.holds, caf::exit_reason::user_shutdown);
    if (p->sweeper)
      caf::anon_send_exit(p->sweeper, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(svc.storage, caf::exit_reason::user_shutdown);
    p->sys->await_all_actors_done();
    p->io->stop();
    p->io.reset(); // before the actor system: see shutdown()
    return http.err();
  }
  p->http = *http;
  return std::unique_ptr<server>(new server(std::move(p)));
}

uint16_t server::port() const {
  return impl_->http->port();
}

uint16_t server::metrics_port() const {
  return impl_->metrics_http ? impl_->metrics_http->port() : 0;
}

const config& server::cfg() const {
  return *impl_->cfg;
}

bool server::tenant_changes_pushed() const {
  return impl_->tenant_listener && impl_->tenant_listener->listening();
}

int server::active_calls() {
  caf_logger_released released;
  caf::scoped_actor self{*impl_->sys};
  int n = -1;
  self->request(impl_->svc.registry, impl_->cfg->call.registry_query, actors::count_atom::value)
      .receive([&](int count) { n = count; }, [](caf::error&) {});
  return n;
}

bool server::hang_up(const std::string& call_sid) {
  caf_logger_released released;
  caf::scoped_actor self{*impl_->sys};
  bool ok = false;
  self->request(impl_->svc.registry, impl_->cfg->call.registry_query,
                actors::operator_hangup{call_sid})
      .receive([&](bool r) { ok = r; }, [](caf::error&) {});
  return ok;
}

void server::shutdown() {
  auto& p = *impl_;
  if (p.stopped)
    return;
  p.stopped = true;
  p.http->stop_accepting();
  if (p.metrics_http)
    p.metrics_http->stop_accepting();
  // Let calls finish on their own for the grace period.
  auto deadline = std::chrono::steady_clock::now() + p.cfg->server.shutdown_grace;
  while (active_calls() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  {
    // End the rest; each is finalized (reason "shutdown") before it quits.
    caf::scoped_actor self{*p.sys};
    self->request(p.svc.registry, p.cfg->call.drain, actors::shutdown_atom::value)
        .receive([](actors::drained_atom) {},
                 [](caf::error& e) { log::warn("Server", "Shutdown: " + caf::to_string(e)); });
  }
  caf::anon_send_exit(p.svc.registry, caf::exit_reason::user_shutdown);
  caf::anon_send(p.svc.notifier, actors::shutdown_atom::value);
  caf::anon_send_exit(p.svc.holds, caf::exit_reason::user_shutdown); // every call has ended
  if (p.sweeper)
    caf::anon_send_exit(p.sweeper, caf::exit_reason::user_shutdown);
  if (p.svc.introspection)
    caf::anon_send(p.svc.introspection, actors::shutdown_atom::value);
  // Storage last, by an ordinary message (an exit message may overtake the
  // mailbox): every write queued before it is done first.
  caf::anon_send(p.svc.storage, actors::shutdown_atom::value);
  p.svc = {};
  p.sys->await_all_actors_done();
  p.tenant_listener.reset();
  // End every connection while the io loop still runs. A WebSocket still
  // closing when the loop stops would never finish: its handlers would keep
  // it, the route handlers and their actor handles alive, and ~actor_system
  // would wait forever for the detached storage actor (issue 15.4). The grace
  // is longer than a WebSocket's own close bound (2 s, net/ws_session.cpp),
  // so a peer that never answers our close frame is cut by that first.
  if (auto left = net::end_connections(p.io->context(), std::chrono::seconds{3}); left > 0)
    log::warn("Server", std::to_string(left) + " connection(s) did not end at shutdown");
  p.http.reset();
  p.metrics_http.reset();
  p.io->stop();
  // Destroy the io_context before the actor system: its pending handlers
  // (an open keep-alive connection, a connect in flight) hold actor handles,
  // and ~actor_system waits for the detached storage actor to be destroyed,
  // which those handles would prevent forever.
  p.io.reset();
  p.sys.reset();
  log::info("Server", "Stopped");
}

std::string server::banner() const {
  const auto& c = *impl_->cfg;
  std::string line(60, '=');
  std::string s = line + "\nREALTIME API MODE ACTIVE\n" + line + "\n";
  s += "✓ OpenAI Realtime API (GA) at " + c.openai.realtime_url + "\n";
  s += "✓ Listening on " + c.server.bind_address + ":" + std::to_string(port()) +
       (impl_->http->tls() ? " (TLS)" : " (plain HTTP; put TLS in front)") + "\n";
  s += std::string{"✓ Twilio signatures "} +
       (c.twilio.validate_signatures ? "checked" : "NOT checked") + "\n";
  s += "\nConfigure Twilio phone number webhook to:\n  " + c.inbound_webhook_url() + "\n" + line +
       "\n";
  return s;
}

} // namespace sb::app
