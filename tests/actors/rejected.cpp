// One message an actor does not handle per CASE: each must fail to compile
// (tests/actors/check_interfaces.cmake).
#include "actors/interfaces.hpp"

#include <caf/send.hpp>

using namespace sb::actors;

void rejected(call_supervisor_actor sup, twilio_socket_actor twilio, storage_actor storage,
              notifier_actor notifier) {
#if CASE == 1
  caf::anon_send(sup, append_turn{}); // a storage message, to the supervisor
#elif CASE == 2
  caf::anon_send(twilio, openai_send{"{}"}); // the OpenAI leg's message, to the Twilio socket
#elif CASE == 3
  caf::anon_send(storage, hangup_atom::value); // storage does not hang up calls
#elif CASE == 4
  caf::anon_send(notifier, storage_write_report{}); // health reports go to the registry
#endif
  (void)sup;
  (void)twilio;
  (void)storage;
  (void)notifier;
}
