#pragma once
// One connection of the simulated Realtime peer as a plain state machine:
// frames in, frames out, no sockets and no clock of its own (the socket
// layer calls tick() every delta_interval_ms while streaming()). Unit tests
// drive it directly. Not thread-safe: the owner serializes calls.

#include "sim/clips.hpp"
#include "sim/energy_vad.hpp"
#include "sim/realtime_peer.hpp"
#include "sim/script.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sb::sim {

/// What all connections of one peer share: stats, the client event log and
/// which callers already had a connection (fault injection drops only the
/// first). Thread-safe.
class peer_shared {
public:
  template <class F> void update(F&& f) {
    std::lock_guard lock(mu_);
    f(stats_);
  }
  peer_stats stats() const;
  void record_client_event(const std::string& frame);
  std::vector<std::string> client_events() const;
  /// True the first time `caller_number` is seen.
  bool first_for_caller(const std::string& caller_number);
  int next_connection_number();

private:
  mutable std::mutex mu_;
  peer_stats stats_;
  std::vector<std::string> client_events_;
  std::set<std::string> callers_;
  int connection_numbers_ = 0;
};

struct peer_session_config {
  const clip_library* clips = nullptr;
  const std::vector<call_script>* scripts = nullptr;
  int delta_ms = 100;
  int drop_after_responses = -1;
  int silent_after_responses = -1;                                ///< see peer_options
  int deaf_after_responses = -1;                                  ///< see peer_options
  bool send_garbage_after_session = false;                        ///< see peer_options
  int garbage_frames = 1;                                         ///< see peer_options
  bool drop_with_reset = false;                                   ///< see peer_options
  bool record_client_events = true;                               ///< see peer_options
  const std::optional<proto::token_usage>* fixed_usage = nullptr; ///< see peer_options
  const peer_options::audio_hook* on_audio_received = nullptr;    ///< may be null or empty
  const peer_options::audio_hook* on_audio_sent = nullptr;
  peer_options::analysis_reply analysis = peer_options::analysis_reply::answer;
};

class peer_session {
public:
  peer_session(peer_session_config cfg, std::shared_ptr<peer_shared> shared);

  /// The connection is open: session.created.
  void open();
  /// An upgrade carried "OpenAI-Beta": the error, then close.
  void reject_beta();
  /// One text frame from the client.
  void on_text(const std::string& frame);
  /// Pacing: sends the next output_audio.delta when streaming.
  void tick();

  bool streaming() const { return active_ && active_->audio; }
  /// Frames to send, in order (drains).
  std::vector<std::string> take_output() { return std::exchange(out_, {}); }
  bool wants_close() const { return close_; }    ///< send queued frames, then close
  bool wants_drop() const { return drop_; }      ///< close abruptly (fault injection)
  bool wants_silence() const { return silent_; } ///< read and send nothing more (fault injection)
  const call_script* script() const { return script_; }
  int connection() const { return conn_number_; }
  /// A response is active or the caller is mid-utterance.
  bool mid_turn() const { return active_.has_value() || vad_.in_speech(); }

private:
  // -- conversation model --
  struct item {
    item() = default;
    item(std::string i, std::string t, std::string r, std::string c = {}, std::string n = {})
        : id(std::move(i)), type(std::move(t)), role(std::move(r)), call_id(std::move(c)),
          name(std::move(n)) {}
    std::string id, type, role, call_id, name;
    bool filler = false;     ///< "one moment" (does not answer a turn)
    bool audio = false;      ///< our own audio item (user: heard; assistant: spoken)
    int64_t audio_bytes = 0; ///< assistant audio sent
    std::string text;        ///< transcript, arguments or output
  };
  struct response_state {
    std::string id, item_id, clip, transcript;
    std::size_t pos = 0;
    bool audio = false;
    bool end_call = false;
    bool filler = false;
  };
  enum class action { greeting, call, reply, filler, repeat, empty };

  // peer_session.cpp
  void handle(const rapidjson::Document& ev, const std::string& type);
  void on_session_update(const rapidjson::Document& ev);
  bool session_acceptable(const rapidjson::Value* session, const std::string& event_id);
  void merge_session(const rapidjson::Value& session);
  void apply_session();
  void send_session_updated();
  void on_append(const rapidjson::Document& ev);
  void on_item_create(const rapidjson::Document& ev);
  void on_truncate(const rapidjson::Document& ev);
  void on_response_create(const rapidjson::Document& ev);
  void on_speech_started(int64_t audio_ms);
  void on_speech_stopped(int64_t audio_ms);
  action next_action(std::size_t& call_index) const;
  void respond(action a, std::size_t call_index, std::string greeting_text = {});
  item* find_item(const std::string& id);

  // peer_events.cpp: responses and event text
  void start_audio_response(std::string clip, std::string transcript, bool end_call, bool filler);
  void function_call_response(const scripted_function_call& call);
  void empty_response();
  /// An out-of-band text response (peer_analysis.cpp): outside the
  /// conversation, so no item joins items_ and `active_` is untouched.
  void out_of_band_response(const rapidjson::Value& response);
  void stream_text(const std::string& response_id, const std::string& item_id,
                   const std::string& text);
  /// output_audio.done, output_audio_transcript.done, content_part.done.
  void audio_parts_done(const response_state& r);
  void finish_audio_response();
  void cancel_active(const char* reason);
  /// response.done; `output` writes the items of response.output.
  void
  response_done(const std::string& id, const char* status, const char* reason,
                int64_t output_audio_ms, std::size_t output_text_chars,
                const std::function<void(rapidjson::Writer<rapidjson::StringBuffer>&)>& output);
  void send_error(const std::string& code, const std::string& message,
                  const std::string& param = {}, const std::string& client_event_id = {});
  void write_item(rapidjson::Writer<rapidjson::StringBuffer>& w, const item& it, const char* status,
                  const std::string& transcript = {}, const std::string& arguments = {});
  void emit(const rapidjson::StringBuffer& sb) { out_.emplace_back(sb.GetString(), sb.GetSize()); }
  std::string new_event_id();
  std::string new_id(const char* prefix);
  void write_session(rapidjson::Writer<rapidjson::StringBuffer>& w);
  void write_usage(rapidjson::Writer<rapidjson::StringBuffer>& w, int64_t output_audio_ms,
                   std::size_t output_text_chars);
  void write_usage(rapidjson::Writer<rapidjson::StringBuffer>& w, const proto::token_usage& u);

  peer_session_config cfg_;
  std::shared_ptr<peer_shared> shared_;
  int conn_number_ = 0;
  uint64_t next_id_ = 0;
  std::vector<std::string> out_;
  bool close_ = false, drop_ = false, silent_ = false, deaf_ = false;

  rapidjson::Document session_; ///< the session object as configured
  const call_script* script_ = nullptr;
  bool first_connection_ = false;
  bool script_claimed_ = false;
  std::string instructions_;
  bool interrupt_response_ = true, create_response_ = true;

  // Client events are parsed into this reused pool (no malloc per append);
  // on the heap so that the session stays movable.
  struct parse_scratch {
    char buf[4096];
    rapidjson::MemoryPoolAllocator<> pool{buf, sizeof buf, 8192};
  };
  std::unique_ptr<parse_scratch> parse_ = std::make_unique<parse_scratch>();
  std::string decoded_; ///< the latest appended audio, reused

  energy_vad vad_;
  int64_t audio_bytes_in_ = 0;
  int64_t audio_bytes_out_ = 0; ///< output audio sent on this connection
  int64_t rx_us_ = 0;           ///< when the current client frame arrived (hooks only)
  std::string speech_item_id_;
  std::string last_item_id_;

  std::vector<item> items_;
  std::optional<response_state> active_;
  std::string pending_greeting_text_;
  bool pending_auto_response_ = false;
  int responses_done_ = 0;
};

} // namespace sb::sim
