#include "proto/pop3/response_parser.hpp"

#include <string>
#include <utility>

namespace mh::proto::pop3 {

const char* to_string(Status status) {
    switch (status) {
        case Status::ok:
            return "+OK";
        case Status::err:
            return "-ERR";
        case Status::continuation:
            return "+";
        case Status::invalid:
            break;
    }
    return "invalid";
}

std::string stuffed(std::string_view body_line) {
    std::string out;
    append_stuffed(out, body_line);
    return out;
}

void append_stuffed(std::string& out, std::string_view body_line) {
    if (!body_line.empty() && body_line.front() == '.') {
        out.push_back('.');
    }
    out.append(body_line);
}

std::size_t ResponseParser::put(std::string_view bytes) {
    const std::size_t size = bytes.size();
    while (stage_ != Stage::complete && reader_.read(bytes)) {
        take_line(reader_.line());
    }
    body_.copy_block();  // the lines kept in place in `bytes`, before the caller's bytes go
    return size - bytes.size();
}

void ResponseParser::put_eof() {
    if (stage_ == Stage::complete) {
        return;
    }
    const bool started = in_response();
    if (reader_.read_rest()) {
        take_line(reader_.line());
    }
    if (stage_ == Stage::body) {
        note(ResponseDiagnostic::closed_in_body, body_.size());
        finish();
    }
    if (stage_ == Stage::complete && started) {
        cut_off_ = true;
    }
}

void ResponseParser::take_line(const ReceivedLine& line) {
    if (stage_ == Stage::body) {
        body_line(line);
    } else {
        status_line(line);
    }
}

void ResponseParser::status_line(const ReceivedLine& line) {
    if (line.length + 2 > limits_.grammar_line) {
        note(ResponseDiagnostic::status_too_long, line.length + 2, limits_.grammar_line);
    }
    if ((line.flags & (ReceivedLine::bare_lf | ReceivedLine::unterminated)) != 0) {
        note((line.flags & ReceivedLine::bare_lf) != 0 ? ResponseDiagnostic::status_bare_lf
                                                       : ResponseDiagnostic::status_unterminated);
    }
    status_line_.assign(line.text);
    const std::string_view received = status_line_;
    // The indicator octet by octet: starts_with() is an out-of-line substr() and an intercepted
    // memcmp in the fuzz builds. The first octet picks the indicators worth comparing.
    status_ = Status::invalid;
    std::size_t indicator = 0;
    if (!received.empty() && received[0] == '+') {
        const bool ok = received.size() >= 3 && received[1] == 'O' && received[2] == 'K';
        status_ = ok ? Status::ok : Status::continuation;
        indicator = ok ? 3 : 1;
    } else if (received.size() >= 4 && received[0] == '-' && received[1] == 'E' &&
               received[2] == 'R' && received[3] == 'R') {
        status_ = Status::err;
        indicator = 4;
    }
    const bool spaced = received.size() > indicator && received[indicator] == ' ';
    const bool missing_space = indicator > 0 && received.size() > indicator && !spaced;
    text_offset_ = indicator + (spaced ? 1 : 0);
    if (status_ == Status::invalid || (status_ == Status::continuation && missing_space)) {
        status_ = Status::invalid;  // "+" needs its space (RFC 5034 4)
        text_offset_ = 0;
        note(ResponseDiagnostic::no_status);
    }
    if (missing_space) {
        note(ResponseDiagnostic::no_space_after_status);
    }
    std::string_view text = received;
    text.remove_prefix(text_offset_);
    if (status_ != Status::continuation && text.starts_with('[')) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            note(ResponseDiagnostic::code_unclosed);
        } else {
            resp_code_offset_ = text_offset_ + 1;
            resp_code_size_ = close - 1;
        }
    }
    if (status_ == Status::ok && expect_body_ && (line.flags & ReceivedLine::unterminated) == 0) {
        multiline_ = true;
        stage_ = Stage::body;
    } else {
        finish();
    }
}

void ResponseParser::body_line(const ReceivedLine& line) {
    const std::size_t number = body_.size() + 1;
    if ((line.flags & ReceivedLine::bare_lf) != 0) {
        note(ResponseDiagnostic::body_bare_lf, number);
    }
    // Not line.text == ".": an out-of-line compare and an intercepted memcmp in the fuzz builds.
    const bool dot = line.text.size() == 1 && line.text[0] == '.';
    if (dot && !line.truncated() && (line.flags & ReceivedLine::unterminated) == 0) {
        finish();
        return;
    }
    body_octets_ += line.length + 2;
    if (line.truncated()) {  // the kept body no longer matches the wire: say so
        note(ResponseDiagnostic::body_line_cut, number, line.length + 2, line.text.size());
    }
    std::string_view text = line.text;
    if (text.starts_with('.')) {
        if (text.size() < 2 || text[1] != '.') {
            note(ResponseDiagnostic::not_stuffed, number);
        }
        text.remove_prefix(1);
    }
    if (kept_bytes_ + text.size() > limits_.body_bytes) {
        if (kept_bytes_ <= limits_.body_bytes) {
            note(ResponseDiagnostic::body_over_limit, limits_.body_bytes);
            kept_bytes_ = limits_.body_bytes + 1;
        }
        return;
    }
    kept_bytes_ += text.size();
    keep_text(body_, line, text);
}

void ResponseParser::finish() {
    if (dropped_diagnostics_ > 0) {
        diagnostics_.push_back(ResponseDiagnostic::more_diagnostics, dropped_diagnostics_);
    }
    body_.seal();
    stage_ = Stage::complete;
}

ResponseView ResponseParser::view() const {
    const std::string_view line = status_line_;
    return ResponseView{.status = status_,
                        .status_line = line,
                        .text = {line.data() + text_offset_, line.size() - text_offset_},
                        .resp_code = {line.data() + resp_code_offset_, resp_code_size_},
                        .multiline = multiline_,
                        .body = body_.views(),
                        .body_octets = body_octets_,
                        .diagnostics = diagnostics_.views(),
                        .cut_off = cut_off_};
}

void ResponseParser::next() {
    status_ = Status::invalid;
    status_line_.clear();
    text_offset_ = 0;
    resp_code_offset_ = 0;
    resp_code_size_ = 0;
    multiline_ = false;
    body_.clear();
    body_octets_ = 0;
    diagnostics_.clear();
    cut_off_ = false;
    kept_bytes_ = 0;
    dropped_diagnostics_ = 0;
    stage_ = Stage::status_line;
}

void ResponseParser::reset() {
    next();
    reader_.reset();
    expect_body_ = false;
}

void ResponseParser::take(ParsedResponse& into) {
    const ResponseView response = view();
    into.status = response.status;
    into.status_line.assign(response.status_line);
    into.text.assign(response.text);
    into.resp_code.assign(response.resp_code);
    into.multiline = response.multiline;
    assign_strings(into.body, response.body);
    into.body_octets = response.body_octets;
    diagnostic_texts(response, into.diagnostics);
    into.cut_off = response.cut_off;
    next();
    body_.clear(StringList::kept_between_copies);
    diagnostics_.clear(StringList::kept_between_copies);
    expect_body_ = false;
}

namespace {

std::string_view text_of(std::uint8_t kind) {
    switch (static_cast<ResponseDiagnostic>(kind)) {
        case ResponseDiagnostic::closed_in_body:
            return "the connection closed before the body's terminating \".\" line (after {} "
                   "lines)";
        case ResponseDiagnostic::status_too_long:
            return "the status line is {} octets long, over the {} that RFC 2449 4 allows";
        case ResponseDiagnostic::status_bare_lf:
            return "the status line ends with a bare LF instead of CRLF (RFC 1939 3)";
        case ResponseDiagnostic::status_unterminated:
            return "the status line has no line end (the connection closed)";
        case ResponseDiagnostic::no_status:
            return "the status line starts with neither +OK nor -ERR (RFC 1939 3)";
        case ResponseDiagnostic::no_space_after_status:
            return "the status indicator {text} is not followed by a space (RFC 1939 3)";
        case ResponseDiagnostic::code_unclosed:
            return "the response code lacks its closing \"]\" (RFC 2449 8)";
        case ResponseDiagnostic::body_bare_lf:
            return "body line {} ends with a bare LF instead of CRLF (RFC 1939 3)";
        case ResponseDiagnostic::body_line_cut:
            return "body line {} is {} octets long: only the first {} were kept";
        case ResponseDiagnostic::not_stuffed:
            return "body line {} starts with \".\" but is not dot-stuffed (RFC 1939 3: \"..\" "
                   "expected)";
        case ResponseDiagnostic::body_over_limit:
            return "the body is over {} bytes: the rest is counted, not kept";
        case ResponseDiagnostic::more_diagnostics:
            return "... and {} more diagnostics";
    }
    return "unknown diagnostic";
}

}  // namespace

void diagnostic_texts(const ResponseView& response, std::vector<std::string>& out) {
    assign_diagnostic_texts(out, response.diagnostics, text_of, to_string(response.status));
}

std::vector<std::string> diagnostic_texts(const ResponseView& response) {
    std::vector<std::string> out;
    diagnostic_texts(response, out);
    return out;
}

ParsedResponse ResponseParser::take() {
    ParsedResponse out;
    take(out);
    return out;
}

}  // namespace mh::proto::pop3
