#pragma once
// What arrived from the server while the harness waited: a whole reply (SMTP) or response
// (POP3), the end of the connection, nothing, or too much. Expectations are matched against it.

#include <optional>
#include <string>

#include "harness/scenario/model.hpp"
#include "proto/pop3/response_parser.hpp"
#include "proto/smtp/reply_parser.hpp"

namespace mh::harness::run {

struct Observation {
    enum class Kind { reply, response, closed, timeout, overflow };
    Kind kind = Kind::timeout;
    proto::smtp::ParsedReply reply;        // kind == reply
    proto::pop3::ParsedResponse response;  // kind == response
    std::optional<double> first_byte_ms;   // since the wait started; none when nothing arrived
    std::string unfinished;  // start of an unfinished reply (timeout, overflow, closed)
    bool reset = false;      // kind == closed: by a TCP reset
    double waited_ms = 0;
};

// The observation as "actual" in a failure message.
std::string describe(const Observation& observation);

}  // namespace mh::harness::run
