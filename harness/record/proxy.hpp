#pragma once
// The transparent TCP proxy behind `mailharness record`: it relays every byte between the
// client and the upstream server unchanged and feeds both directions to a Recorder.
// STARTTLS / STLS: when the server accepts, the proxy terminates TLS on both sides - it is the
// TLS server of the client (with the certificate it is given) and a TLS client of the upstream
// (no verification: it records, it does not vouch) - so the encrypted part is recorded too.

#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/record/recorder.hpp"
#include "harness/record/recording.hpp"
#include "harness/scenario/model.hpp"

namespace mh::harness::record {

struct ProxyOptions {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 0;  // 0: a free port, reported through on_listening
    std::string upstream_host;
    std::uint16_t upstream_port = 0;
    scenario::Protocol protocol = scenario::Protocol::smtp;
    std::size_t sessions = 1;  // stop once this many sessions have ended; 0: only on a signal
    RecorderLimits limits;
    std::function<void(const std::string& address)> on_listening;  // "127.0.0.1:40123"
    std::function<void(const std::string& line)> log;              // one line per session event
};

// Relays and records until `sessions` sessions have ended or SIGINT / SIGTERM arrives (open
// sessions are then cut). Returns the sessions in the order they were accepted. Throws
// std::runtime_error when the listener cannot be opened.
std::vector<Session> run_proxy(const ProxyOptions& options,
                               boost::asio::ssl::context& client_side_tls);

}  // namespace mh::harness::record
