#include "harness/run/async_channel.hpp"

namespace mh::harness::run {

namespace asio = boost::asio;

AsyncChannel::AsyncChannel(asio::io_context& io, scenario::Protocol protocol,
                           transport::TlsSettings tls, transport::TranscriptRecorder& transcript,
                           ChannelLimits limits)
    : connection_(io, std::move(tls)), reader_(protocol, transcript, "", limits) {}

asio::awaitable<void> AsyncChannel::open(const scenario::Endpoint& endpoint,
                                         transport::Deadline deadline) {
    co_await connection_.open(endpoint.host, endpoint.port,
                              endpoint.tls == scenario::TlsMode::implicit, deadline);
}

asio::awaitable<void> AsyncChannel::send(std::string_view bytes, transport::Deadline deadline) {
    reader_.sent(bytes);
    co_await connection_.write(bytes, deadline);
}

asio::awaitable<Observation> AsyncChannel::observe(scenario::Duration wait) {
    const auto start = transport::Clock::now();
    const auto deadline = start + wait;
    Observation observation = reader_.begin();
    for (;;) {
        if (reader_.next(observation, std::nullopt, start)) {
            if (observation.kind == Observation::Kind::overflow) {
                connection_.close();
            }
            co_return observation;
        }
        const auto status = co_await connection_.read_some(reader_.inbox(), deadline);
        if (!reader_.received(status, observation, start)) {
            co_return observation;
        }
    }
}

asio::awaitable<void> AsyncChannel::handshake(transport::Deadline deadline) {
    reader_.tls_starting();
    co_await connection_.handshake(deadline);
    reader_.tls_established();
}

void AsyncChannel::close() {
    connection_.close();
    reader_.closed();
}

}  // namespace mh::harness::run
