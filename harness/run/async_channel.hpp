#pragma once
// Channel over an asynchronous connection, for C++20 coroutines: many conversations on one
// thread's io_context (the network fuzzer's conversations in flight). Reads with the same
// MessageReader as Channel, so replies and responses are cut and judged alike.

#include <boost/asio/awaitable.hpp>

#include "harness/run/channel.hpp"
#include "harness/transport/async_connection.hpp"

namespace mh::harness::run {

class AsyncChannel {
  public:
    AsyncChannel(boost::asio::io_context& io, scenario::Protocol protocol,
                 transport::TlsSettings tls, transport::TranscriptRecorder& transcript,
                 ChannelLimits limits = {});

    // Each as Channel's; they throw transport::TransportError.
    boost::asio::awaitable<void> open(const scenario::Endpoint& endpoint,
                                      transport::Deadline deadline);
    boost::asio::awaitable<void> send(std::string_view bytes, transport::Deadline deadline);
    boost::asio::awaitable<Observation> observe(scenario::Duration wait);
    boost::asio::awaitable<void> handshake(transport::Deadline deadline);
    void close();

  private:
    transport::AsyncConnection connection_;
    MessageReader reader_;
};

}  // namespace mh::harness::run
