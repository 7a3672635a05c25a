#pragma once
// `switchboard demo --scenario crash` (issue 14, "Showing it"): the demo
// starts the server binary itself as a child process (/proc/self/exe serve,
// with a config file and the secrets in its environment, as an operator
// runs it) on a temporary database with the stand-ins, places the
// scenario's calls, SIGKILLs the child once every caller has given its name
// and some booking details, starts it again after systemd's RestartSec
// (packaging/switchboard.service), and lets the callers finish: those who
// follow the <Redirect> (as Twilio does) are picked up again and carry on;
// one hangs up during the gap and is finalized `server_lost` once the
// [resume] grace is over. Prints per call its end reason, job card,
// resumes, pushes delivered and the silent gap, and returns non-zero when a
// check fails (app/demo_crash.cpp lists them).
//
// End reasons: a call picked up again that then ends normally keeps its
// normal end reason (here assistant_hangup) with resumes = 1; a call whose
// caller did not come back within the grace ends server_lost, its job card
// holding the details given before the kill.

#include <string>

namespace sb::app::demo {

struct scenario;

/// Runs the crash scenario `sc` in the temporary folder `dir`; the exit code.
int run_crash_demo(const scenario& sc, const std::string& dir);

} // namespace sb::app::demo
