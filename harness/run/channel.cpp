#include "harness/run/channel.hpp"

#include <optional>

#include "proto/pop3/command.hpp"

namespace mh::harness::run {

namespace {

constexpr std::size_t read_chunk = 16384;
constexpr std::size_t unfinished_kept = 200;

double ms_since(transport::Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(transport::Clock::now() - start).count();
}

}  // namespace

bool pop3_command_has_body(std::string_view line) {
    using proto::pop3::Verb;
    // The grammar refuses a NUL; a server that reads C strings sees the line up to it.
    line = line.substr(0, line.find('\0'));
    const auto parsed = proto::pop3::parse_command(line);
    // A wrong argument count still names the verb, and a foreign server may answer such a line
    // as it answers the verb; a refusal is one line whatever is expected here.
    const std::optional<Verb> verb = parsed ? parsed->verb : parsed.error().verb;
    if (!verb) {
        return false;
    }
    const bool has_argument =
        line.find_first_not_of(' ', proto::pop3::verb_rule(*verb).name.size()) !=
        std::string_view::npos;
    switch (*verb) {
        case Verb::list:
        case Verb::uidl:
        // A bare AUTH is not in RFC 5034 4 (the mechanism is required), but servers (the
        // reference, Dovecot) answer it with the list of mechanisms, multi-line.
        case Verb::auth:
            return !has_argument;
        case Verb::capa:
        case Verb::retr:
        case Verb::top:
            return true;
        default:
            return false;
    }
}

void Pop3CommandLines::put(std::string_view bytes, std::deque<bool>& bodies) {
    // "LIST" + 64 spaces + "1" must still read as LIST with an argument.
    constexpr std::size_t kept = 64;
    for (const char c : bytes) {
        if (c == '\n') {
            std::string_view line = line_;
            if (line.ends_with('\r')) {
                line.remove_suffix(1);
            }
            bodies.push_back(pop3_command_has_body(line));
            line_.clear();
        } else if (line_.size() < kept && !(c == ' ' && line_.ends_with(' '))) {
            line_ += c;
        }
    }
}

MessageReader::MessageReader(scenario::Protocol protocol, transport::TranscriptRecorder& transcript,
                             std::string name, ChannelLimits limits)
    : protocol_(protocol), transcript_(transcript), name_(std::move(name)), limits_(limits) {}

void MessageReader::sent(std::string_view bytes) {
    transcript_.client(bytes, name_);
    if (protocol_ == scenario::Protocol::pop3) {
        command_lines_.put(bytes, pending_bodies_);
    }
}

std::size_t MessageReader::feed(std::string_view bytes) {
    if (protocol_ == scenario::Protocol::smtp) {
        return reply_parser_.put(bytes);
    }
    return response_parser_.put(bytes);
}

bool MessageReader::message_complete() const {
    return protocol_ == scenario::Protocol::smtp ? reply_parser_.has_reply()
                                                 : response_parser_.has_response();
}

void MessageReader::remember_unfinished(std::string_view bytes) {
    if (unfinished_.size() < unfinished_kept) {
        unfinished_ += bytes.substr(0, unfinished_kept - unfinished_.size());
    }
}

std::string MessageReader::unfinished() const {
    return transport::escape_bytes(unfinished_);
}

Observation MessageReader::begin() const {
    Observation observation;
    if (!buffer_.empty()) {
        observation.first_byte_ms = 0;
    }
    return observation;
}

bool MessageReader::next(Observation& observation, std::optional<bool> body,
                         transport::Clock::time_point start) {
    const std::size_t limit = protocol_ == scenario::Protocol::smtp ? limits_.smtp_reply_bytes
                                                                    : limits_.pop3_response_bytes;
    if (!message_started_ && !buffer_.empty()) {
        message_started_ = true;
        if (protocol_ == scenario::Protocol::pop3) {
            const bool expected_body = pending_bodies_.empty() ? false : pending_bodies_.front();
            response_parser_.expect_body(body.value_or(expected_body));
        }
    }
    if (!buffer_.empty()) {
        const std::size_t used = feed(buffer_);
        remember_unfinished(std::string_view(buffer_).substr(0, used));
        message_bytes_ += used;
        buffer_.erase(0, used);
        if (message_complete()) {
            observation.waited_ms = ms_since(start);
            observation = finish_message(std::move(observation));
            return true;
        }
        if (message_bytes_ > limit) {
            observation.kind = Observation::Kind::overflow;
            observation.unfinished = unfinished();
            observation.waited_ms = ms_since(start);
            transcript_.note("cut off: more than " + std::to_string(limit) +
                                 " bytes without the end of a reply; connection closed",
                             name_);
            closed_ = true;
            return true;
        }
    }
    if (closed_) {
        if (protocol_ == scenario::Protocol::smtp) {
            reply_parser_.put_eof();
        } else {
            response_parser_.put_eof();
        }
        observation.waited_ms = ms_since(start);
        if (message_complete()) {
            observation = finish_message(std::move(observation));
            return true;
        }
        observation.kind = Observation::Kind::closed;
        observation.reset = reset_;
        observation.unfinished = unfinished();
        return true;
    }
    return false;
}

bool MessageReader::received(transport::Connection::ReadStatus status, Observation& observation,
                             transport::Clock::time_point start) {
    using Status = transport::Connection::ReadStatus;
    if (status == Status::data) {
        if (!observation.first_byte_ms) {
            observation.first_byte_ms = ms_since(start);
        }
        return true;
    }
    if (status == Status::closed || status == Status::reset) {
        reset_ = status == Status::reset;
        if (!closed_) {
            transcript_.note(reset_ ? "the server reset the connection (TCP RST)"
                                    : "the server closed the connection",
                             name_);
        }
        closed_ = true;
        return true;
    }
    observation.kind = Observation::Kind::timeout;
    observation.unfinished = unfinished();
    observation.waited_ms = ms_since(start);
    return false;
}

Observation MessageReader::finish_message(Observation observation) {
    message_started_ = false;
    message_bytes_ = 0;
    unfinished_.clear();
    if (protocol_ == scenario::Protocol::smtp) {
        observation.kind = Observation::Kind::reply;
        observation.reply = reply_parser_.take();
        last_text_.clear();
        for (const auto& line : observation.reply.raw_lines) {
            transcript_.server(line, name_);
            last_text_ += (last_text_.empty() ? "" : "\n") + line;
        }
        for (const auto& diagnostic : observation.reply.diagnostics) {
            transcript_.note(diagnostic, name_);
        }
        return observation;
    }
    observation.kind = Observation::Kind::response;
    observation.response = response_parser_.take();
    if (!pending_bodies_.empty()) {
        pending_bodies_.pop_front();
    }
    const auto& response = observation.response;
    if (!greeted_) {
        greeted_ = true;
        greeting_ = response.text;
    }
    transcript_.server(response.status_line, name_);
    last_text_ = response.status_line;
    for (std::size_t i = 0; i < response.body.size(); ++i) {
        if (i < limits_.transcript_body_lines) {
            transcript_.server(proto::pop3::stuffed(response.body[i]), name_);
        }
        last_text_ += "\n" + response.body[i];
    }
    if (response.body.size() > limits_.transcript_body_lines) {
        transcript_.note(std::to_string(response.body.size() - limits_.transcript_body_lines) +
                             " more body lines not shown",
                         name_);
    }
    if (response.multiline && !response.cut_off) {
        transcript_.server(".", name_);
    }
    for (const auto& diagnostic : response.diagnostics) {
        transcript_.note(diagnostic, name_);
    }
    return observation;
}

void MessageReader::tls_starting() {
    if (!buffer_.empty() || message_started_) {
        transcript_.note("discarded " + std::to_string(buffer_.size()) +
                             " plaintext bytes received before the TLS handshake",
                         name_);
        buffer_.clear();
        reply_parser_ = proto::smtp::ReplyParser();
        response_parser_ = proto::pop3::ResponseParser();
        message_started_ = false;
        message_bytes_ = 0;
        unfinished_.clear();
    }
    pending_bodies_.clear();
    command_lines_.clear();
}

Channel::Channel(scenario::Protocol protocol, transport::TlsSettings tls,
                 transport::TranscriptRecorder& transcript, std::string name, ChannelLimits limits,
                 std::stop_token stop)
    : connection_(std::move(tls), std::move(stop)),
      transcript_(transcript),
      reader_(protocol, transcript, std::move(name), limits) {}

void Channel::open(const scenario::Endpoint& endpoint, transport::Deadline deadline) {
    transcript_.note("connecting to " + endpoint.describe(), name());
    connection_.open(endpoint.host, endpoint.port, endpoint.tls == scenario::TlsMode::implicit,
                     deadline);
    if (connection_.encrypted()) {
        transcript_.note("TLS established (implicit)", name());
    }
}

void Channel::send(std::string_view bytes, transport::Deadline deadline) {
    reader_.sent(bytes);
    connection_.write(bytes, deadline);
}

Observation Channel::observe(scenario::Duration wait, std::optional<bool> body) {
    const auto start = transport::Clock::now();
    const auto deadline = start + wait;
    Observation observation = reader_.begin();
    for (;;) {
        if (reader_.next(observation, body, start)) {
            if (observation.kind == Observation::Kind::overflow) {
                connection_.close();
            }
            return observation;
        }
        const auto status = connection_.read_some(reader_.inbox(), read_chunk, deadline);
        if (!reader_.received(status, observation, start)) {
            return observation;
        }
    }
}

void Channel::handshake(transport::Deadline deadline) {
    reader_.tls_starting();
    connection_.handshake(deadline);
    reader_.tls_established();
}

void Channel::close() {
    connection_.close();
    reader_.closed();
}

}  // namespace mh::harness::run
