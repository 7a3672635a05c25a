#pragma once
// One call's Twilio Media Stream socket (child of the call supervisor).
// Parses Media Stream events; relays caller audio to the current OpenAI
// socket; sends assistant audio to Twilio, each chunk followed by a uniquely
// named mark, and tracks from the echoed marks what the caller has HEARD.
//
// Messages in:  twilio_frame, socket_closed (from its socket);
//               audio_out (from the OpenAI socket);
//               (attach_atom, caf::actor) (the supervisor names a new upstream);
//               barge_in_request -> replies barge_in_cut;
//               hangup_after_playout (close once queued audio has played);
//               (hangup_atom, std::string audio) (play this, then close).
// Messages out: audio_in (to the upstream), first_audio_sent, stream_stopped,
//               dtmf_digit (to the supervisor).
// It exits normally after `stop` or a hang-up it was asked for; any other end
// of the socket exits with an error (twilio socket lost).

#include "actors/services.hpp"
#include "net/ws_connection.hpp"
#include "protocol/media_stream.hpp"

#include <caf/actor.hpp>

namespace sb::actors {

caf::actor spawn_twilio_socket(caf::local_actor* parent, services svc, net::ws_connection_ptr conn,
                               proto::twilio_event start, caf::actor supervisor,
                               caf::actor upstream);

} // namespace sb::actors
