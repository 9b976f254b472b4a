// Throughput of the SMTP command path: line framing plus command grammar, over a pipelined
// mix of typical client commands (RFC 5321 4.1.1), in MB/s of wire input.

#include <benchmark/benchmark.h>

#include <string>

#include "proto/common/line_framer.hpp"
#include "proto/smtp/command.hpp"

namespace {

using mh::proto::LineFramer;
using mh::proto::smtp::parse_command;

const std::string& command_mix() {
    static const std::string mix = [] {
        std::string wire;
        for (int i = 0; i < 200; ++i) {
            wire += "EHLO client-" + std::to_string(i) +
                    ".example.org\r\n"
                    "MAIL FROM:<sender.name+tag@remote.example.org> SIZE=123456 BODY=8BITMIME\r\n"
                    "RCPT TO:<alice@example.test>\r\n"
                    "RCPT TO:<\"quoted local\"@[IPv6:2001:db8::1]>\r\n"
                    "RCPT TO:<@relay.example:bob@[192.0.2.1]>\r\n"
                    "NOOP\r\nRSET\r\nBDAT 4096 LAST\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\n";
        }
        return wire;
    }();
    return mix;
}

void BM_FrameAndParseCommands(benchmark::State& state) {
    const std::string& wire = command_mix();
    for (auto _ : state) {
        LineFramer framer(512);
        std::string_view rest = wire;
        std::size_t parsed = 0;
        while (!rest.empty()) {
            rest.remove_prefix(framer.put(rest));
            if (framer.has_line()) {
                parsed += parse_command(framer.take().text).ok() ? 1U : 0U;
            }
        }
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(BM_FrameAndParseCommands);

void BM_ParseMailCommand(benchmark::State& state) {
    const std::string line =
        "MAIL FROM:<sender.name+tag@remote.example.org> SIZE=123456 BODY=8BITMIME SMTPUTF8";
    for (auto _ : state) {
        auto result = parse_command(line);
        benchmark::DoNotOptimize(result);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(line.size()));
}
BENCHMARK(BM_ParseMailCommand);

}  // namespace
