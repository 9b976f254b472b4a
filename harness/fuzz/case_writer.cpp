#include "harness/fuzz/case_writer.hpp"

#include <cctype>
#include <cstdio>
#include <functional>

#include "harness/run/wire.hpp"

namespace mh::harness::fuzz {

namespace {

namespace sc = scenario;

std::string expectation(sc::Protocol protocol, const PredictedReply& reply) {
    if (protocol == sc::Protocol::pop3) {
        // The model's maildrop is empty; the target's need not be: only the status kind counts.
        return reply == "+" ? "\"+\"" : "{any: [\"+OK\", \"-ERR\"]}";
    }
    // Success codes are exact; the detail of a refusal is the server's choice.
    return reply.starts_with("4") || reply.starts_with("5") ? reply.substr(0, 1) + "xx" : reply;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string single_quoted(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\'') {
            out += "''";
        } else if (byte >= 0x20 && byte < 0x7f) {
            out += c;
        } else {
            out += '?';
        }
    }
    return out + "'";
}

}  // namespace

FindingCase reproducer_case(const Conversation& conversation, const Execution& execution,
                            const Verdict& verdict, sc::Duration timeout) {
    const sc::Protocol protocol = conversation.protocol;
    std::string steps;
    const auto expect_all = [&](const std::vector<PredictedReply>& replies) {
        for (const auto& reply : replies) {
            steps += "      - expect: " + expectation(protocol, reply) + "\n";
        }
    };
    if (!execution.predicted.empty()) {
        expect_all(execution.predicted.front());
    }
    const Turn quit{Turn::Kind::send, quit_line, {}};
    for (std::size_t i = 1; i < execution.predicted.size(); ++i) {
        const Turn& turn = i - 1 < conversation.turns.size() ? conversation.turns[i - 1] : quit;
        for (std::string_view write : writes_of(turn)) {  // one step per write: the segmentation
            steps += "      - send: {raw: " + run::quote_raw(write) + "}\n";
        }
        expect_all(execution.predicted[i]);
        if (execution.tls_after.contains(i)) {
            steps += "      - tls: {}\n";
        }
    }
    if (execution.model_closed) {
        steps += "      - expect: closed\n";
    }
    const std::string text = conversation.origin + "|" + steps;
    const auto hash = std::hash<std::string>{}(text);
    char digest[17];
    std::snprintf(digest, sizeof digest, "%016zx", hash);
    const std::string id = std::string(to_string(verdict.oracle)) + "-" + lower(verdict.state);
    FindingCase out;
    out.suite_id = "fuzz-" + id + "-" + std::string(digest, 8);
    const std::string timeout_text = std::to_string(timeout.count()) + "ms";
    out.yaml =
        "# Written by `mailharness fuzz`: a reproducer of one finding. Replay it with\n"
        "#   mailharness run THIS-FILE --" +
        std::string(sc::to_string(protocol)) +
        " HOST:PORT\n"
        "# The case fails on the server that showed the finding.\n"
        "suite: " +
        out.suite_id + "\n" + "protocol: " + sc::to_string(protocol) + "\n" +
        "spec: " + (protocol == sc::Protocol::smtp ? "RFC5321" : "RFC1939") + "\n" +
        "description: " +
        single_quoted(std::string(to_string(verdict.oracle)) + " at " + verdict.state + ": " +
                      verdict.detail) +
        "\n" + "tags: [fuzz-finding]\n" + "timeout: " + timeout_text + "\n" +
        "cases:\n"
        "  - id: " +
        id + "\n" + "    title: " +
        single_quoted("network fuzzer " + std::string(to_string(verdict.oracle)) + " (from " +
                      conversation.origin + ")") +
        "\n" +
        "    level: MUST\n"
        "    steps:\n" +
        steps;
    return out;
}

}  // namespace mh::harness::fuzz
