#pragma once
// `switchboard demo --scenario cluster [--calls N]` (issue 16.4): three
// `switchboard serve` nodes sharing a throwaway PostgreSQL behind HAProxy
// (bench/lb_process.hpp), Twilio's webhooks and the resume <Redirect>
// spread over them round robin. Once every caller has given their name, the
// node holding the first call is SIGKILLed and not started again: its
// callers' <Redirect> goes through the balancer to a survivor, which takes
// the call over (its lease expired) and carries on; the callers who hang up
// in the gap are finalized server_lost there; the calls on the other nodes
// go on untouched.
//
// Three calls (the default): the crash scenario's callers, each event
// printed. More (the test runs 60): three waves placed 100 ms apart so that
// most are live at once, every caller thinking before giving the time so
// that the kill finds each one named and none finished, one line per call.
// From 10 calls on, the middle wave rings a second business (Steady
// Drains) limited to N / 10 calls at once, more callers than that at once
// spread over the three nodes; a refused caller hears the busy message.
//
// The checks, from the database and the push endpoint: each call one
// record, one job card and one push (counted per CallSid: one card per
// call); the killed node's live calls finalized on a survivor, resumed
// once by the callers who came back; the others untouched; and for the
// limited business, that at no instant more than its limit were admitted
// (app/demo_limit.hpp) while some callers were refused. The exit code is 0
// only when every check holds.

#include <cstddef>
#include <string>

namespace sb::app::demo {

struct scenario;

/// Runs the cluster scenario `sc` with `calls` callers in `dir`; the exit code.
int run_cluster_demo(const scenario& sc, const std::string& dir, std::size_t calls);

} // namespace sb::app::demo
