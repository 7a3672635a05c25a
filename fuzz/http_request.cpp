// Raw HTTP requests to our server (net/http_server.cpp and Beast's parser
// under it): request line, headers, bodies, limits. Whatever arrives, the
// server answers or closes; a request that reaches the handler is a whole,
// well-formed one, and its form body goes through our form parser.
#include "fuzz/server_harness.hpp"
#include "protocol/form.hpp"

#include <cstddef>
#include <cstdint>

namespace {

sb::fuzz::server_harness& harness() {
  static sb::fuzz::server_harness h{
      [] {
        sb::net::http_server_options o;
        o.max_header_bytes = 2048;
        o.max_body_bytes = 4096;
        return o;
      }(),
      [] {
        sb::net::http_handlers h;
        h.on_request = [](sb::net::http_request req, sb::net::responder respond) {
          auto form = sb::proto::parse_form(req.body);
          respond(sb::net::http_response::text(form ? 200 : 400, form ? "ok" : "bad form"));
        };
        return h;
      }()};
  return h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)harness().exchange({reinterpret_cast<const char*>(data), size});
  return 0;
}
