// The client-side parsers on what a load generator reads most: SMTP one-line 250s, a multi-line
// EHLO reply, a pipelined group (proto/smtp/reply_parser), and a POP3 RETR response with its
// dot-unstuffing (proto/pop3/response_parser). Reports bytes/s and ns per reply.
#include <benchmark/benchmark.h>

#include <string>

#include "proto/pop3/response_parser.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace {

void parse_all(benchmark::State& state, const std::string& wire) {
    mh::proto::smtp::ReplyParser parser;
    for (auto _ : state) {
        std::string_view rest = wire;
        while (!rest.empty()) {
            rest.remove_prefix(parser.put(rest));
            if (parser.has_reply())
                benchmark::DoNotOptimize(parser.take());
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}

void BM_ReplyOneLine(benchmark::State& state) {
    parse_all(state, "250 2.1.0 Sender ok\r\n");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplyOneLine);

void BM_ReplyEhlo(benchmark::State& state) {
    parse_all(state,
              "250-mail.example.test greets bench.example.test\r\n250-PIPELINING\r\n"
              "250-SIZE 10240000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n"
              "250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplyEhlo);

// A pipelined group's replies arriving in one read (RFC 2920): MAIL, 10 RCPT, DATA.
void BM_ReplyPipelinedGroup(benchmark::State& state) {
    std::string wire = "250 2.1.0 ok\r\n";
    for (int i = 0; i < 10; ++i)
        wire += "250 2.1.5 ok\r\n";
    wire += "354 go ahead\r\n";
    parse_all(state, wire);
    state.SetItemsProcessed(state.iterations() * 12);
}
BENCHMARK(BM_ReplyPipelinedGroup);

// RETR of a 64 KiB message (every tenth line dot-stuffed), fed in 16 KiB reads.
void BM_Pop3RetrUnstuff(benchmark::State& state) {
    std::string wire = "+OK message follows\r\n";
    for (std::size_t line = 0; wire.size() < 65536; ++line)
        wire += (line % 10 == 0 ? ".." : "") + std::string(74, 'x') + "\r\n";
    wire += ".\r\n";
    mh::proto::pop3::ResponseParser parser;
    for (auto _ : state) {
        parser.expect_body(true);
        std::size_t taken = 0;
        while (!parser.has_response())
            taken += parser.put(std::string_view(wire).substr(taken, 16384));
        benchmark::DoNotOptimize(parser.take());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
}
BENCHMARK(BM_Pop3RetrUnstuff);

}  // namespace
