#pragma once
// What `mailharness record` observed, as steps of a suite case (docs/record.md). The recorder
// builds these from the bytes both peers sent; the writer turns them into suite YAML.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mh::harness::record {

struct SendLines {  // one or more command lines the client wrote before the next reply
    std::vector<std::string> lines;
};
struct SendData {  // DATA content, unstuffed (the writer picks `data:` or `raw:`)
    std::string content;
};
struct SendBytes {  // DATA content too large to keep: replayed as generated octets
    std::size_t bytes = 0;
};
struct SendRaw {  // exact bytes (a BDAT command with its chunk)
    std::string bytes;
};
struct ExpectReply {                        // one SMTP reply or POP3 response, observed
    std::string status;                     // "250" / "+OK" / "-ERR" / "+"
    std::string enhanced;                   // SMTP RFC 3463 code, empty when none
    std::string text_pattern;               // regex over the text, volatile parts generalised
    std::optional<std::size_t> body_lines;  // POP3: lines of the multi-line body to expect
    bool multiline = false;                 // POP3: a body followed
    std::vector<std::string> notes;         // grammar diagnostics, written as comments
};
struct StartTls {};         // STARTTLS / STLS answered positively, then the TLS handshake
struct Login {              // a whole AUTH / USER+PASS / APOP exchange
    std::string mechanism;  // PLAIN, LOGIN, CRAM-MD5, USER, APOP
    std::string account;    // written as a suite variable; the password is never kept
    bool succeed = true;
};

using Step = std::variant<SendLines, SendData, SendBytes, SendRaw, ExpectReply, StartTls, Login>;

struct Session {
    std::vector<Step> steps;
    // Why recording stopped before the conversation ended (over-long line, size limit);
    // empty when the whole conversation was recorded.
    std::string truncated;
    std::vector<std::string> notes;  // written as comments at the top of the case
};

}  // namespace mh::harness::record
