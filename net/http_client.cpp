// http_send: one request per connection (Connection: close), resolve to
// response under one deadline; client_connect makes the connection (TLS
// verified, as for ws_connect), the exchange here writes and reads.
#include "net/http_client.hpp"

#include "net/detail/client_connect.hpp"
#include "net/detail/tls_stream.hpp"
#include "net/detail/url_parts.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace sb::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

/// Responses we accept; webhook answers are small.
constexpr std::uint64_t max_response_body = 8 * 1024 * 1024;

http_client_result error_result(std::string error) {
  http_client_result out;
  out.error = std::move(error);
  return out;
}

/// What the exchange needs once the connection is there.
struct exchange_job {
  http_client_request request;
  std::function<void(http_client_result)> done;
  detail::url_parts url;
};

template <class Stream>
class http_exchange : public std::enable_shared_from_this<http_exchange<Stream>> {
public:
  http_exchange(exchange_job job, Stream&& stream)
      : job_(std::move(job)), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  /// Writes the request and reads the response before `deadline`, the
  /// connect's own.
  void run(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    timer_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      error_code ignored;
      beast::get_lowest_layer(self->stream_).close(ignored);
    });
    do_write();
  }

private:
  void do_write() {
    req_.method_string(job_.request.method);
    req_.target(job_.url.target);
    req_.version(11);
    req_.set(http::field::host, job_.url.host_header);
    req_.set(http::field::user_agent, "switchboard");
    for (const auto& [k, v] : job_.request.headers)
      req_.set(k, v);
    if (!job_.request.body.empty() || job_.request.method == "POST" ||
        job_.request.method == "PUT") {
      req_.set(http::field::content_type, job_.request.content_type);
      req_.body() = std::move(job_.request.body);
    }
    req_.keep_alive(false);
    req_.prepare_payload();
    http::async_write(
        stream_, req_,
        beast::bind_front_handler(&http_exchange::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec)
      return fail("write", ec);
    parser_.body_limit(max_response_body);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&http_exchange::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec)
      return fail("read", ec);
    auto& res = parser_.get();
    http_client_result out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    finish(std::move(out));
  }

  void fail(const char* what, error_code ec) {
    finish(error_result(timed_out_ ? std::string("timeout")
                                   : std::string(what) + ": " + ec.message()));
  }

  void finish(http_client_result result) {
    if (finished_)
      return;
    finished_ = true;
    timer_.cancel();
    // Connection: close was sent; no TLS close_notify exchange is needed to
    // trust a response whose length was framed (Content-Length/chunked).
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    if (job_.done)
      job_.done(std::move(result));
  }

  exchange_job job_;
  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response_parser<http::string_body> parser_;
  bool timed_out_ = false;
  bool finished_ = false;
};

template <class Stream>
void start_exchange(exchange_job job, Stream stream,
                    std::chrono::steady_clock::time_point deadline) {
  std::make_shared<http_exchange<Stream>>(std::move(job), std::move(stream))->run(deadline);
}

} // namespace

void http_send(asio::io_context& io, http_client_request request,
               std::function<void(http_client_result)> done) {
  auto strand = asio::make_strand(io);
  auto url = detail::parse_url(request.url, "http", "https");
  if (!url) {
    asio::post(strand,
               [done = std::move(done), error = url.err().message] { done(error_result(error)); });
    return;
  }
  detail::client_target target{*url, request.ca_file, request.ca_pem, request.timeout};
  exchange_job job{std::move(request), std::move(done), std::move(*url)};
  detail::client_connect(strand, std::move(target),
                         [job = std::move(job)](detail::client_connection c) mutable {
                           if (!c.error.empty()) {
                             if (job.done)
                               job.done(error_result(std::move(c.error)));
                             return;
                           }
                           if (c.tls)
                             return start_exchange(std::move(job), std::move(*c.tls), c.deadline);
                           start_exchange(std::move(job), std::move(*c.socket), c.deadline);
                         });
}

} // namespace sb::net
