#pragma once
// The state behind one tls_stream, shared by net/tls_stream.cpp (the
// operations) and net/tls_bio.cpp (OpenSSL's side: the BIO, the bytes
// received, the errors). Internal to net/.

#include "net/detail/tls_stream.hpp"

#include <boost/beast/core/role.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

namespace sb::net::detail {

struct flush_waiter;

struct tls_stream::state {
  explicit state(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
  ~state() {
    if (ssl)
      SSL_free(ssl); // frees the BIO too
  }

  boost::asio::ip::tcp::socket socket;
  SSL* ssl = nullptr;

  // Received bytes OpenSSL has not consumed: `in` from `in_pos`, then,
  // during one call into OpenSSL, `fresh` (this thread's read buffer).
  std::string in;
  std::size_t in_pos = 0;
  const unsigned char* fresh = nullptr;
  std::size_t fresh_len = 0;
  bool peer_eof = false;

  // Encrypted bytes for the socket: `out` waits, `sending` is in flight.
  std::string out;
  std::string sending;
  bool writing = false;
  boost::system::error_code write_error; ///< sticky: the first failed socket write
  /// While `sending` is in flight: what waits for `out` to be sent next
  /// (owned by the write in flight).
  std::weak_ptr<flush_waiter> next_waiter;
  /// Our side, from the handshake: it decides who sends TCP's FIN first.
  boost::beast::role_type role = boost::beast::role_type::client;
};

/// Gives a connection's buffer back once it is empty, if it grew past 4 KiB
/// (a large frame), so an idle connection holds only small buffers.
inline void release_if_large(std::string& s) {
  if (s.capacity() > 4096)
    std::string().swap(s);
}

/// `buffer` (one of this thread's), grown to at least `size` bytes.
inline unsigned char* thread_buffer(std::vector<unsigned char>& buffer, std::size_t size) {
  if (buffer.size() < size)
    buffer.resize(size);
  return buffer.data();
}

/// The BIO method that joins an SSL object to its state (BIO data).
BIO_METHOD* tls_bio_method();

/// After a call into OpenSSL: keeps what it left of this read on the
/// connection, and gives back `in` once it is empty.
void keep_unconsumed(tls_stream::state& s);

/// One non-blocking read from the socket into this thread's buffer, offered
/// to OpenSSL as `fresh`. would_block: nothing there (the wait woke for
/// nothing); EOF sets `peer_eof`.
boost::system::error_code receive(tls_stream::state& s);

/// The error after a call into OpenSSL failed with `err` (SSL_get_error),
/// as Asio's own engine reports it (asio/ssl/detail/impl/engine.ipp), so
/// callers and logs read the same as with asio::ssl::stream.
boost::system::error_code ssl_error(const tls_stream::state& s, int err);

} // namespace sb::net::detail
