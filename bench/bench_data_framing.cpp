// Throughput of DATA content reading (end-of-data detection plus dot-unstuffing, RFC 5321
// 4.5.2) and of client-side dot-stuffing, in MB/s of wire input.

#include <benchmark/benchmark.h>

#include <string>

#include "proto/smtp/data_framing.hpp"

namespace {

using mh::proto::smtp::DataReader;
using mh::proto::smtp::frame_data;

// A message of `size` octets of 76-column text lines, some starting with a dot.
std::string message_body(std::size_t size) {
    std::string body;
    std::size_t line = 0;
    while (body.size() < size) {
        body += (line++ % 10 == 0) ? "." : "";
        body += std::string(74, static_cast<char>('a' + line % 26));
        body += "\r\n";
    }
    return body;
}

void BM_ReadData(benchmark::State& state) {
    const std::string wire = frame_data(message_body(static_cast<std::size_t>(state.range(0))));
    for (auto _ : state) {
        DataReader reader(wire.size(), 1000);
        std::size_t taken = 0;
        // Feed in 16 KiB reads as a socket loop would.
        while (!reader.done()) {
            taken += reader.put(std::string_view(wire).substr(taken, 16384));
        }
        benchmark::DoNotOptimize(reader.take());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(BM_ReadData)->Arg(4 << 10)->Arg(1 << 20)->Arg(16 << 20);

void BM_StuffData(benchmark::State& state) {
    const std::string body = message_body(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(frame_data(body));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_StuffData)->Arg(1 << 20);

}  // namespace
