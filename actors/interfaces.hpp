#pragma once
// The typed interface of every actor (CAF 0.17 typed_actor): what each one
// accepts and what it answers. The compiler checks every send against them:
// a message an actor does not handle does not compile (tests/actors/
// interface_compile_test.cmake proves it). They are declared together because
// they refer to each other (a child answers its supervisor, the supervisor
// reports to the registry, the registry spawns supervisors); each actor's
// own header (actors/<name>.hpp) holds its spawn function and what it does.
//
// Messages an actor only sends itself (timers) are part of its interface
// too, marked "self".

#include "actors/cluster_limit_messages.hpp"
#include "actors/cluster_messages.hpp"
#include "actors/messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::actors {

using caf::reacts_to;
using caf::replies_to;

/// Every call actor reports itself to the console when the introspection actor asks.
using introspected_actor = caf::typed_actor<reacts_to<report_atom>>;

/// Where storage and the notifier report what the health check needs (the
/// registry, which introduces itself to them when it starts).
using health_sink_actor =
    caf::typed_actor<reacts_to<storage_write_report>, ///< storage: a write failed, or recovered
                     reacts_to<outbox_report>>;       ///< notifier: the outbox at its last poll

/// The only actor that touches SQLite (actors/storage_actor.hpp). A write the
/// database refuses for the time being is kept and answered as written; a
/// wrong write or a failed read replies call_error::storage_failed.
using storage_actor = caf::typed_actor<
    replies_to<find_tenant>::with<tenant_lookup>, replies_to<begin_call>::with<stored_atom>,
    replies_to<append_turn>::with<stored_atom>,
    replies_to<set_recording>::with<bool>,       ///< false: no such call
    replies_to<set_transfer_status>::with<bool>, ///< false: no such call
    replies_to<finalize_call>::with<int64_t>,    ///< the job card's id
    replies_to<load_call>::with<stored_call>,    ///< the registry: a call whose supervisor died
    replies_to<save_booking_draft>::with<stored_atom>,    ///< a tool actor: write ahead
    replies_to<set_call_status>::with<bool>,              ///< a supervisor: write ahead
    replies_to<set_recording_file>::with<bool>,           ///< a supervisor: recording on
    replies_to<sweep_recordings>::with<int>,              ///< the daily retention sweep
    replies_to<open_calls>::with<std::vector<lost_call>>, ///< the registry, at start
    replies_to<node_heartbeat>::with<std::vector<storage::node_info>>, ///< the registry's lease
    replies_to<claim_calls>::with<std::vector<lost_call>>,             ///< the registry: takeover
    replies_to<call_owner_query>::with<call_owner>,     ///< the registry: call-next elsewhere
    replies_to<cluster_admit>::with<cluster_admission>, ///< the registry: a limited tenant's call
    replies_to<nodes_query>::with<std::vector<storage::node_info>>, ///< the console
    replies_to<cluster_query>::with<cluster_overview>,              ///< the console's cluster view
    replies_to<jobs_on_day>::with<std::vector<storage::job>>,
    replies_to<report_query>::with<std::vector<storage::report_row>>, ///< the console
    replies_to<variants_query>::with<variants_overview>,              ///< the console
    replies_to<tenants_query>::with<std::vector<storage::tenant>>,    ///< the console
    replies_to<due_notifications>::with<std::vector<storage::outbox_entry>>,
    replies_to<outbox_backlog_query>::with<storage::outbox_backlog>,
    replies_to<notification_delivered>::with<stored_atom>,
    replies_to<notification_failed>::with<stored_atom>,
    reacts_to<health_sink_atom, health_sink_actor>, ///< report write failures there from now on
    reacts_to<tick_atom>,      ///< self: retry the writes kept in memory (write_queue)
    reacts_to<shutdown_atom>>; ///< quit after every write queued before it (one last try)

/// The slots live calls have been offered and not yet booked, for the whole
/// process (actors/slot_holds.hpp). It monitors each holding call's
/// supervisor: a call's holds never outlive it.
using slot_holds_actor =
    caf::typed_actor<replies_to<hold_slot>::with<hold_reply>, ///< a tool call
                     reacts_to<release_holds>,                ///< a supervisor, its call finalized
                     replies_to<count_atom>::with<int>>;      ///< holds of every call (tests)

/// Delivers the push-notification outbox (actors/notifier.hpp).
using notifier_actor =
    caf::typed_actor<reacts_to<wake_atom>,        ///< a job card was written: check the outbox now
                     reacts_to<tick_atom>,        ///< self: the poll timer
                     reacts_to<delivery_outcome>, ///< self: an HTTP attempt finished (from the io
                                                  ///< thread)
                     reacts_to<health_sink_atom, health_sink_actor>, ///< report the outbox there
                     reacts_to<shutdown_atom>>;

/// The console's introspection actor (console/introspection.hpp).
using introspection_actor =
    caf::typed_actor<reacts_to<actor_report>, ///< any call actor: at its start, then when polled
                     reacts_to<call_report>,  ///< a supervisor, on each change; phase finished: the
                                              ///< last
                     reacts_to<call_line>,    ///< a supervisor: one line of the call's live log
                     reacts_to<feed_subscribe>,   ///< console routes: a feed socket opened
                     reacts_to<feed_unsubscribe>, ///< console routes: it closed
                     reacts_to<tick_atom>,        ///< self: push the view if it changed
                     replies_to<caf::get_atom>::with<std::string>, ///< the view as JSON now
                     reacts_to<shutdown_atom>>;                    ///< close the feeds and quit

/// One call's transcript (actors/transcript.hpp).
using transcript_actor = caf::typed_actor<
    reacts_to<caller_said>, reacts_to<assistant_said>, reacts_to<assistant_truncated>,
    replies_to<caf::get_atom>::with<transcript_so_far>,
    replies_to<flush_atom>::with<flushed_atom>> ///< once every turn so far is stored
    ::extend_with<introspected_actor>;

/// The call supervisor (actors/call_supervisor.hpp): everything its children,
/// the registry and its own timers tell it.
using call_supervisor_actor = caf::typed_actor<
    reacts_to<stream_arrived>,        ///< registry: Twilio's Media Stream for this call
    reacts_to<openai_session_ready>,  ///< openai socket: session.updated
    reacts_to<realtime_event>,        ///< openai socket: a server event (not audio)
    reacts_to<first_audio_sent>,      ///< media relay: an assistant item started playing
    reacts_to<stream_stopped>,        ///< twilio socket: the caller hung up
    reacts_to<dtmf_digit>,            ///< twilio socket
    reacts_to<digits_done_atom, int>, ///< self: the caller's keys so far are one entry
    replies_to<transfer_request>::with<std::string>, ///< registry (operator); "" : started
    reacts_to<handed_over_atom, int>,       ///< media relay / self: the hand-over line played
    reacts_to<transfer_rest_done>,          ///< the REST client (io thread): <Dial> update answered
    reacts_to<tool_result>,                 ///< tool call
    reacts_to<tool_slow_atom, std::string>, ///< self: this call_id is still running
    reacts_to<timeout_atom>,                ///< self: the stream did not attach in time
    reacts_to<max_call_atom, int>,          ///< self: the longest call, by stage (call_timers.cpp)
    reacts_to<silence_atom>,                ///< self: the call's tick (call_timers.cpp)
    reacts_to<recycle_atom, int>,           ///< self: session generation near its limit
    reacts_to<hangup_atom>,                 ///< registry: an operator ends the call
    reacts_to<analysis_atom>,               ///< self: the post-call analysis timed out
    reacts_to<shutdown_atom>>               ///< registry: the server is stopping
    ::extend_with<introspected_actor>;

/// One call's Twilio Media Stream socket (actors/twilio_socket.hpp).
using twilio_socket_actor = caf::typed_actor<
    reacts_to<twilio_frame>,  ///< its socket: a control frame (media and marks go to the relay)
    reacts_to<socket_closed>, ///< its socket closed
    replies_to<barge_in_request>::with<barge_in_cut>, reacts_to<hangup_after_playout>,
    reacts_to<play_then_hangup>>::extend_with<introspected_actor>;

/// One call's OpenAI Realtime connection (actors/openai_socket.hpp).
using openai_socket_actor =
    caf::typed_actor<reacts_to<connect_atom>,     ///< self: the reconnect backoff is over
                     reacts_to<openai_connected>, ///< the io thread: the handshake finished
                     reacts_to<realtime_event>,   ///< the io thread: a parsed server event
                     reacts_to<socket_closed>,    ///< its socket closed
                     reacts_to<openai_send>,      ///< supervisor: send this client event
                     reacts_to<take_over_atom>> ///< supervisor: a standby becomes the live session
    ::extend_with<introspected_actor>;

/// One call's function calls (actors/tool_call.hpp).
using tool_call_actor =
    caf::typed_actor<reacts_to<tool_request>, ///< supervisor; also self, delayed
                     reacts_to<timeout_atom, std::string, std::string>> ///< self: call_id, name ran
                                                                        ///< too long
    ::extend_with<introspected_actor>;

/// Writes one finished call (actors/finalizer.hpp).
using finalizer_actor =
    caf::typed_actor<replies_to<finalize_request>::with<int64_t>, ///< the job card's id
                     replies_to<recover_call>::with<int64_t>>; ///< registry; 0: finalized already

/// The directory of live calls (actors/call_registry.hpp).
using call_registry_actor = caf::typed_actor<
    reacts_to<inbound_call>,       ///< the Voice webhook route
    reacts_to<refused_call>,       ///< the Voice webhook route, over a limit
    reacts_to<stream_arrived>,     ///< the Media Stream route: routed to its call
    reacts_to<call_snapshot>,      ///< a supervisor, on each change
    reacts_to<openai_observation>, ///< an openai socket: a handshake outcome
    reacts_to<call_next>,          ///< a supervisor, before it closes the stream
    reacts_to<call_lost>,          ///< a supervisor: its stream was lost, hold it
    reacts_to<resume_expired_atom, std::string, int>, ///< itself: a held call's grace is over
    reacts_to<lease_tick_atom>,                       ///< itself: renew the lease (call_takeover)
    reacts_to<lease_tick_atom, int>, ///< itself: ask again who holds a call (call_takeover)
    replies_to<call_next_query>::with<call_next>, ///< the call-next route
    replies_to<recording_update>::with<bool>,     ///< false: no such call, nothing stored
    replies_to<health_atom>::with<health_info>, replies_to<sessions_atom>::with<sessions_info>,
    replies_to<count_atom>::with<int>,                ///< live calls
    replies_to<operator_hangup>::with<bool>,          ///< false: no such live call
    replies_to<operator_transfer>::with<std::string>, ///< "" : started; else why not
    reacts_to<transfer_ended>,                        ///< the call-next route: <Dial>'s action
    replies_to<shutdown_atom>::with<drained_atom>>    ///< every call ended and finalized
    ::extend_with<health_sink_actor>;

} // namespace sb::actors
