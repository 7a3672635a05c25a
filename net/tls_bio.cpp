// OpenSSL's side of tls_stream: a BIO that reads what the socket delivered
// (left over on the connection, then this read's bytes in a per-thread
// buffer) and appends what OpenSSL writes to the connection's output; and
// OpenSSL's errors as Asio's engine names them.
#include "net/detail/tls_state.hpp"

#include <boost/asio/ssl/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sb::net::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// -- the BIO between OpenSSL and the state --------------------------------

int bio_write(BIO* bio, const char* data, int len) {
  auto* s = static_cast<tls_stream::state*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  s->out.append(data, static_cast<std::size_t>(len));
  return len;
}

int bio_read(BIO* bio, char* data, int len) {
  auto* s = static_cast<tls_stream::state*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  auto want = static_cast<std::size_t>(len);
  std::size_t got = 0;
  if (s->in_pos < s->in.size()) {
    got = std::min(want, s->in.size() - s->in_pos);
    std::memcpy(data, s->in.data() + s->in_pos, got);
    s->in_pos += got;
  }
  if (got < want && s->fresh_len > 0) {
    std::size_t n = std::min(want - got, s->fresh_len);
    std::memcpy(data + got, s->fresh, n);
    s->fresh += n;
    s->fresh_len -= n;
    got += n;
  }
  if (got > 0)
    return static_cast<int>(got);
  if (s->peer_eof)
    return 0;
  BIO_set_retry_read(bio);
  return -1;
}

long bio_ctrl(BIO* bio, int cmd, long, void*) {
  auto* s = static_cast<tls_stream::state*>(BIO_get_data(bio));
  switch (cmd) {
  case BIO_CTRL_FLUSH:
    return 1; // the state flushes after every call into OpenSSL
  case BIO_CTRL_EOF:
    return s->peer_eof && s->in_pos == s->in.size() && s->fresh_len == 0 ? 1 : 0;
  default:
    return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO*) {
  return 1;
}

} // namespace

BIO_METHOD* tls_bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "switchboard tls");
    if (!m || BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
        BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1 ||
        BIO_meth_set_destroy(m, bio_destroy) != 1)
      throw std::runtime_error("tls: cannot create the BIO method");
    return m;
  }();
  return method;
}

// -- buffers -----------------------------------------------------------------

namespace {

/// One read from the socket: a full record and its header, with room.
constexpr std::size_t read_chunk = 17 * 1024;

} // namespace

void keep_unconsumed(tls_stream::state& s) {
  if (s.fresh_len > 0) {
    if (s.in_pos > 0) {
      s.in.erase(0, s.in_pos);
      s.in_pos = 0;
    }
    s.in.append(reinterpret_cast<const char*>(s.fresh), s.fresh_len);
  }
  s.fresh = nullptr;
  s.fresh_len = 0;
  if (s.in_pos == s.in.size()) {
    s.in.clear();
    s.in_pos = 0;
    release_if_large(s.in);
  }
}

error_code receive(tls_stream::state& s) {
  static thread_local std::vector<unsigned char> buffer;
  error_code ec;
  if (!s.socket.non_blocking()) {
    s.socket.non_blocking(true, ec);
    if (ec)
      return ec;
  }
  unsigned char* data = thread_buffer(buffer, read_chunk);
  std::size_t n = s.socket.read_some(asio::buffer(data, read_chunk), ec);
  if (ec == asio::error::eof) {
    s.peer_eof = true;
    return {};
  }
  if (ec)
    return ec;
  s.fresh = data;
  s.fresh_len = n;
  return {};
}

// -- errors ------------------------------------------------------------------

error_code ssl_error(const tls_stream::state& s, int err) {
  if (err == SSL_ERROR_ZERO_RETURN)
    return asio::error::eof; // close_notify
  unsigned long queued = ERR_get_error();
  if (err == SSL_ERROR_SSL && queued != 0 && !s.peer_eof)
    return {static_cast<int>(queued), asio::error::get_ssl_category()};
  if (s.peer_eof)
    return asio::ssl::error::stream_truncated; // TCP closed without close_notify
  if (queued != 0)
    return {static_cast<int>(queued), asio::error::get_ssl_category()};
  return asio::ssl::error::unexpected_result;
}

} // namespace sb::net::detail
