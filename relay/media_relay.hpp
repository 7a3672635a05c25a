#pragma once
// The data plane of one call: caller audio and assistant audio go socket to
// socket on the io thread, in the sockets' own frame handlers, without
// entering an actor's mailbox. The socket actors own the connections' life
// cycle and every control event (start, stop, session.updated, transcripts,
// tools, barge-in decisions); they steer the relay through the calls below.
//
// Why: a 20 ms frame that hops Asio thread -> actor -> socket strand wakes a
// thread at every hop; at 100 calls that was ~300 ms of server CPU per
// call-minute (bench/RESULTS.md). Here a frame costs one parse, one build and
// one queued write, on the thread that read it.
//
// Thread-safe: called from the io thread (frame handlers) and from actor
// threads (control); one mutex guards the state. It knows no actors: the
// first audio of each item is reported through a callback, which the call
// supervisor binds to a message to itself.

#include "metrics/switchboard_metrics.hpp"
#include "net/ws_connection.hpp"
#include "protocol/playout.hpp"
#include "recording/call_recorder.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::relay {

/// First audio byte of an assistant item went out to Twilio.
struct first_audio_sent {
  std::string item_id;
  int64_t received_us = 0; ///< from OpenAI
  int64_t sent_us = 0;     ///< to Twilio
};

/// What the caller heard of the item a barge-in interrupted.
struct barge_in_cut {
  bool cleared = false; ///< audio was queued or playing, and `clear` was sent
  std::string item_id;
  int64_t heard_ms = 0;
  int64_t sent_ms = 0; ///< audio of item_id sent to Twilio
};

class media_relay {
public:
  /// Called on the io thread with the relay's mutex held: it must be quick and
  /// must not call back into the relay (the supervisor's binding only sends).
  using first_audio_fn = std::function<void(first_audio_sent)>;

  /// `metrics` may be null (nothing is counted).
  media_relay(std::shared_ptr<metrics::switchboard_metrics> metrics, first_audio_fn on_first_audio);

  // -- the Twilio leg --

  /// The stream started: assistant audio held back so far (the greeting,
  /// generated before the stream arrived) goes out now.
  void attach_twilio(net::ws_connection_ptr conn, std::string stream_sid);

  /// A caller media frame (inbound track): to OpenAI, or held (10 s at most)
  /// while no session is configured. `stream_ms` is its media.timestamp (-1
  /// if absent): the stream's clock, which times the assistant's playback.
  void caller_audio(std::string_view payload_b64, int64_t stream_ms, int64_t received_us);

  /// Record the call from now on (recording/call_recorder.hpp): every
  /// caller frame, and the assistant audio as the caller hears it.
  void start_recording(std::unique_ptr<recording::call_recorder> recorder);
  /// The stream is over: the recording is written out and closed.
  void stop_recording();

  /// Twilio echoed a mark: that audio has played.
  void caller_heard(std::string_view mark_name);

  /// The caller talks over the assistant: `clear`, and what was heard by
  /// the latest frame's stream time (protocol/playout.cpp).
  barge_in_cut barge_in();

  /// Assistant audio is queued or playing at the caller (its marks not all
  /// echoed): the line is not silent (actors/call_timers.cpp).
  bool playing() const;

  /// Close the Twilio socket once the audio sent so far has played.
  void hang_up_after_playout();

  /// Run `fn` once the audio sent so far has played (at once if it has):
  /// the transfer's hand-over line is over (actors/call_transfer.cpp). Called
  /// with the relay's mutex held, like first_audio_fn: it must only send.
  void notify_when_played(std::function<void()> fn);

  /// Play raw mu-law `audio` (the apology), then hang up.
  void play_then_hang_up(std::string_view audio);

  // -- the OpenAI leg --

  /// A new Realtime connection: caller audio is held until openai_ready().
  void attach_openai(net::ws_connection_ptr conn);

  /// session.updated: held caller audio goes out, then the live stream.
  void openai_ready();

  /// A standby session, configured and replayed, takes the call over: from
  /// the next caller frame on, audio goes to `conn` (actors/session_recycle.cpp).
  /// One step under the mutex, so that every frame goes to exactly one
  /// session: none is lost or sent twice in the switch.
  void switch_openai(net::ws_connection_ptr conn);

  /// `conn` is gone: caller audio is held again (if it is still the current
  /// one). If it was `lost` (not closed by us), held starting with the audio
  /// it was sent but never answered for (see input_transcribed): a
  /// connection that dies by a reset loses its unsent events, so the next
  /// session must hear that audio again.
  void detach_openai(const net::ws_connection_ptr& conn, bool lost);

  /// The current session transcribed the caller's speech up to input byte
  /// `audio_end_ms` (its speech_stopped): that audio is in the transcript,
  /// which a new session gets as replayed text, so it is not resent.
  void input_transcribed(int64_t audio_end_ms);

  /// A response.output_audio.delta: to the caller (each chunk followed by a
  /// mark), dropped if its item was cut by a barge-in, held if no stream yet.
  void assistant_audio(std::string item_id, std::string payload_b64, int64_t received_us);

  /// The caller frame holding input byte audio_end_ms of the current
  /// session: when it reached us and when it went to OpenAI (both -1 if
  /// unknown). For the bridge's share of the turn latency.
  struct frame_times {
    int64_t received_us = -1;
    int64_t sent_us = -1;
  };
  frame_times locate_input(int64_t audio_end_ms) const;

  /// Frames relayed so far, caller to OpenAI and back (the console's counts).
  const std::atomic<int64_t>& frames_up() const { return frames_up_; }
  const std::atomic<int64_t>& frames_down() const { return frames_down_; }

private:
  struct held_in {
    std::string payload_b64;
    int64_t received_us;
  };
  struct held_out {
    std::string item_id;
    std::string payload_b64;
    int64_t received_us;
  };
  struct sent_frame {
    int64_t end_offset_bytes;
    int64_t received_us;
    int64_t sent_us;
  };

  void new_session(net::ws_connection_ptr conn); // mutex held: caller audio held from now
  void go_live();                                // mutex held: held audio out, then live
  void send_up(std::string_view payload_b64, int64_t received_us); // mutex held
  void send_down(const std::string& item_id, std::string_view payload_b64,
                 int64_t received_us); // mutex held
  void close_if_played();              // mutex held; also runs when_played_

  std::shared_ptr<metrics::switchboard_metrics> metrics_;
  first_audio_fn on_first_audio_;
  mutable std::mutex mutex_;

  net::ws_connection_ptr twilio_;
  std::string stream_sid_;
  proto::playout_tracker playout_;
  std::unordered_map<std::string, std::size_t> sent_bytes_; ///< per assistant item
  std::set<std::string> cut_items_; ///< barge-in cut these: their late audio is dropped
  std::deque<held_out> held_out_;   ///< assistant audio before the stream attached
  bool hanging_up_ = false;
  std::function<void()> when_played_;
  std::unique_ptr<recording::call_recorder> recorder_; ///< null: not recording

  net::ws_connection_ptr openai_;
  bool ready_ = false;
  std::deque<held_in> held_in_;
  int64_t held_dropped_ = 0; ///< held caller frames dropped (oldest first) past 10 s
  int64_t session_bytes_ = 0;
  std::deque<sent_frame> recent_; ///< the last ~10 s of caller frames sent
  struct unanswered_frame {
    int64_t end_offset_bytes;
    held_in frame;
  };
  /// Caller frames sent to the current session and not yet transcribed
  /// (10 s at most): held again if the session dies (detach_openai).
  std::deque<unanswered_frame> unanswered_;

  std::atomic<int64_t> frames_up_{0};
  std::atomic<int64_t> frames_down_{0};
};

using media_relay_ptr = std::shared_ptr<media_relay>;

} // namespace sb::relay
