// Bytes to our TLS server: the handshake and records go through our own
// receive path over OpenSSL (net/tls_stream.cpp, net/tls_bio.cpp: the
// per-thread read buffer, the bytes kept for the next record, the error
// mapping), which issue 15 names as needing this most. The input is what a
// client sends; seeds are real ClientHellos.
#include "fuzz/server_harness.hpp"
#include "net/test_ca.hpp"

#include <cstddef>
#include <cstdint>

namespace {

sb::fuzz::loopback_harness& harness() {
  static sb::fuzz::loopback_harness h{
      [] {
        auto ca = sb::net::make_test_ca("fuzz CA");
        auto cert = sb::net::make_server_cert(ca, {"localhost"}, {"127.0.0.1"});
        sb::net::http_server_options o;
        o.tls_cert_pem = cert.cert_pem;
        o.tls_key_pem = cert.key_pem;
        return o;
      }(),
      [] {
        sb::net::http_handlers h;
        h.on_request = [](sb::net::http_request, sb::net::responder respond) {
          respond(sb::net::http_response::text(200, "ok"));
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
