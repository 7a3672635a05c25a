#include "net/detail/tls_client.hpp"

#include <boost/asio/ip/address.hpp>

#include <map>
#include <mutex>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace sb::net::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

/// Adds every certificate of a PEM text to the context's store.
status add_ca_pem(ssl::context& ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio)
    return error{"tls", "out of memory"};
  X509_STORE* store = SSL_CTX_get_cert_store(ctx.native_handle());
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1)
      ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  if (added == 0)
    return error{"tls", "ca_pem holds no certificate"};
  return ok_status();
}

} // namespace

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

namespace {

result<std::shared_ptr<ssl::context>> build_client_tls_context(const std::string& ca_file,
                                                               const std::string& ca_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  ctx->set_default_verify_paths(ec);
  if (ec)
    return error{"tls", "default verify paths: " + ec.message()};
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec)
      return error{"tls", "ca_file: " + ec.message()};
  }
  if (!ca_pem.empty()) {
    if (auto s = add_ca_pem(*ctx, ca_pem); !s)
      return s.err();
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec)
    return error{"tls", "verify mode: " + ec.message()};
  return ctx;
}

} // namespace

result<std::shared_ptr<ssl::context>> make_client_tls_context(const std::string& ca_file,
                                                              const std::string& ca_pem) {
  // One context per trust configuration, shared by every connection: loading
  // the system CA store per connection cost ~1.1 MiB of RSS and milliseconds
  // of CPU per call (bench/RESULTS.md). An SSL_CTX is safe to share across
  // threads once configured. CA files are read once per process.
  static std::mutex mtx;
  static std::map<std::pair<std::string, std::string>, std::shared_ptr<ssl::context>> cache;
  std::lock_guard<std::mutex> guard{mtx};
  auto key = std::make_pair(ca_file, ca_pem);
  if (auto it = cache.find(key); it != cache.end())
    return it->second;
  auto ctx = build_client_tls_context(ca_file, ca_pem);
  if (ctx)
    cache.emplace(std::move(key), *ctx);
  return ctx;
}

status configure_client_tls(SSL* ssl, const std::string& host) {
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
      return error{"tls", "bad IP address for verification"};
    return ok_status();
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1)
    return error{"tls", "cannot set SNI"};
  // Partial wildcards ("w*.example.com") are not accepted (RFC 6125 6.4.3).
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1)
    return error{"tls", "cannot set host name for verification"};
  return ok_status();
}

} // namespace sb::net::detail
