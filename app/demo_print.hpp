#pragma once
// What the demo prints after its calls: the job card and transcript as
// stored, the REST requests the Twilio stand-in received, the push
// notifications the business got.

#include "app/demo_scenarios.hpp"

namespace sb::app::demo {

void print_outcome(const outcome& o);

} // namespace sb::app::demo
