#pragma once
// One bench session's connection, on Asio coroutines: TCP, implicit TLS or TLS started later
// (STARTTLS / STLS), and whole replies read through the proto/ parsers. Many of these share an
// io_context thread; none blocks it. Errors are thrown as BenchFailure with their class, which
// the session turns into an error count.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "proto/pop3/response_parser.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace mh::harness::bench {

// A failure that ends the unit: `error_class` is "transport" or "protocol" (reply classes are
// counted where the reply is judged).
class BenchFailure : public std::runtime_error {
  public:
    BenchFailure(std::string error_class, const std::string& what)
        : std::runtime_error(what), error_class_(std::move(error_class)) {}
    const std::string& error_class() const { return error_class_; }

  private:
    std::string error_class_;
};

class AsyncConnection {
  public:
    AsyncConnection(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls);

    boost::asio::awaitable<void> connect(const boost::asio::ip::tcp::endpoint& endpoint);
    boost::asio::awaitable<void> handshake();
    boost::asio::awaitable<void> write(std::string_view bytes);
    // Both in one write (one send on a plain connection): a group of pipelined commands.
    boost::asio::awaitable<void> write(std::string_view first, std::string_view second);
    boost::asio::awaitable<proto::smtp::ParsedReply> read_reply();
    // `body`: the command's +OK response carries a dot-terminated body (RETR, TOP, LIST).
    boost::asio::awaitable<proto::pop3::ParsedResponse> read_response(bool body);
    void close();

  private:
    // Reads more bytes into in_, which the parsers have consumed entirely (throws
    // BenchFailure("transport") at end of stream).
    boost::asio::awaitable<void> fill();
    template <typename Buffers>
    boost::asio::awaitable<void> write_buffers(const Buffers& buffers);
    std::string_view unread() const { return {in_.get() + in_pos_, in_end_ - in_pos_}; }

    using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
    std::unique_ptr<Stream> stream_;
    bool encrypted_ = false;
    // A fixed buffer: the parsers take whole lines into their own bounded state, so reads
    // never need to keep more than one read's worth here.
    static constexpr std::size_t kReadSize = 16384;
    std::unique_ptr<char[]> in_ = std::make_unique_for_overwrite<char[]>(kReadSize);
    std::size_t in_pos_ = 0;
    std::size_t in_end_ = 0;
    proto::smtp::ReplyParser reply_parser_;
    proto::pop3::ResponseParser response_parser_;
};

}  // namespace mh::harness::bench
