#pragma once
// `switchboard demo`: one whole call on loopback with no keys and no network.
// Starts the simulated Realtime peer (over TLS, with a CA made on the spot),
// a push endpoint standing in for the business, the real server on a
// temporary database, and one simulated caller who books a plumber in a
// short scripted conversation of real speech. Prints the live transcript
// with per-turn latency, then the job card read back from SQLite and the
// push notification as received. Exit code 0 when the job card is complete.

namespace sb::app {

int run_demo(bool keep_files);

} // namespace sb::app
