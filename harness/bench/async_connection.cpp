#include "harness/bench/async_connection.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace mh::harness::bench {

namespace asio = boost::asio;
using asio::use_awaitable;

AsyncConnection::AsyncConnection(asio::any_io_executor executor, asio::ssl::context& tls)
    : stream_(std::make_unique<Stream>(executor, tls)) {}

asio::awaitable<void> AsyncConnection::connect(const asio::ip::tcp::endpoint& endpoint) {
    try {
        co_await stream_->next_layer().async_connect(endpoint, use_awaitable);
        stream_->next_layer().set_option(asio::ip::tcp::no_delay(true));
    } catch (const boost::system::system_error& e) {
        throw BenchFailure("transport", "connect: " + e.code().message());
    }
}

asio::awaitable<void> AsyncConnection::handshake() {
    try {
        co_await stream_->async_handshake(asio::ssl::stream_base::client, use_awaitable);
        encrypted_ = true;
    } catch (const boost::system::system_error& e) {
        throw BenchFailure("transport", "TLS handshake: " + e.code().message());
    }
}

template <typename Buffers>
asio::awaitable<void> AsyncConnection::write_buffers(const Buffers& buffers) {
    try {
        if (encrypted_)
            co_await asio::async_write(*stream_, buffers, use_awaitable);
        else
            co_await asio::async_write(stream_->next_layer(), buffers, use_awaitable);
    } catch (const boost::system::system_error& e) {
        throw BenchFailure("transport", "write: " + e.code().message());
    }
}

asio::awaitable<void> AsyncConnection::write(std::string_view bytes) {
    co_await write_buffers(asio::buffer(bytes));
}

asio::awaitable<void> AsyncConnection::write(std::string_view first, std::string_view second) {
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(first), asio::buffer(second)};
    co_await write_buffers(buffers);
}

asio::awaitable<void> AsyncConnection::fill() {
    boost::system::error_code ec;
    std::size_t n = 0;
    auto buffer = asio::buffer(in_.get(), kReadSize);
    if (encrypted_)
        n = co_await stream_->async_read_some(buffer, asio::redirect_error(use_awaitable, ec));
    else
        n = co_await stream_->next_layer().async_read_some(buffer,
                                                           asio::redirect_error(use_awaitable, ec));
    in_pos_ = 0;
    in_end_ = n;
    if (ec)
        throw BenchFailure("transport", "read: " + ec.message());
}

asio::awaitable<proto::smtp::ParsedReply> AsyncConnection::read_reply() {
    while (!reply_parser_.has_reply()) {
        if (in_pos_ == in_end_)
            co_await fill();
        in_pos_ += reply_parser_.put(unread());
    }
    proto::smtp::ParsedReply reply = reply_parser_.take();
    if (reply.reply.code == 0)
        throw BenchFailure("protocol", "a reply without a code");
    co_return reply;
}

asio::awaitable<proto::pop3::ParsedResponse> AsyncConnection::read_response(bool body) {
    response_parser_.expect_body(body);
    while (!response_parser_.has_response()) {
        if (in_pos_ == in_end_)
            co_await fill();
        in_pos_ += response_parser_.put(unread());
    }
    proto::pop3::ParsedResponse response = response_parser_.take();
    if (response.status == proto::pop3::Status::invalid)
        throw BenchFailure("protocol", "a response that is neither +OK nor -ERR");
    co_return response;
}

void AsyncConnection::close() {
    boost::system::error_code ignored;
    stream_->next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->next_layer().close(ignored);
}

}  // namespace mh::harness::bench
