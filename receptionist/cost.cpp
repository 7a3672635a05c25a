#include "receptionist/cost.hpp"

#include <algorithm>

namespace sb::receptionist {

namespace {

int64_t at_least_0(int64_t n) {
  return std::max<int64_t>(0, n);
}

} // namespace

double cost_usd(const proto::token_usage& u, const prices_config& p) {
  const int64_t text_in = at_least_0(u.input_text), audio_in = at_least_0(u.input_audio);
  int64_t cached_text = at_least_0(u.input_cached_text);
  int64_t cached_audio = at_least_0(u.input_cached_audio);
  if (cached_text + cached_audio == 0 && u.input_cached > 0) {
    // No cached_tokens_details: the cached total, audio first (a cached
    // audio token is the larger discount, so the estimate errs low).
    cached_audio = std::min(u.input_cached, audio_in);
    cached_text = u.input_cached - cached_audio;
  }
  // The cached tokens are a subset of their kind's input (the schema's
  // input_token_details).
  cached_text = std::min(cached_text, text_in);
  cached_audio = std::min(cached_audio, audio_in);
  double per_million = static_cast<double>(audio_in - cached_audio) * p.audio_input +
                       static_cast<double>(cached_audio) * p.audio_input_cached +
                       static_cast<double>(text_in - cached_text) * p.text_input +
                       static_cast<double>(cached_text) * p.text_input_cached +
                       static_cast<double>(at_least_0(u.output_audio)) * p.audio_output +
                       static_cast<double>(at_least_0(u.output_text)) * p.text_output;
  return per_million / 1e6;
}

} // namespace sb::receptionist
