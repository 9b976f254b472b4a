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

namespace {

// The text after `indicator` when the line starts with it followed by a space or the end.
bool split_status(std::string_view line, std::string_view indicator, std::string& text,
                  bool& missing_space) {
    if (line.substr(0, indicator.size()) != indicator) {
        return false;
    }
    const std::string_view rest = line.substr(indicator.size());
    missing_space = !rest.empty() && rest.front() != ' ';
    text.assign(missing_space ? rest : rest.substr(rest.empty() ? 0 : 1));
    return true;
}

}  // namespace

std::size_t ResponseParser::put(std::string_view bytes) {
    std::size_t consumed = 0;
    while (consumed < bytes.size() && !complete_) {
        consumed += reader_.put(bytes.substr(consumed));
        if (reader_.has_line()) {
            if (in_body_) {
                body_line(reader_.line());
            } else {
                status_line(reader_.line());
            }
            reader_.next();
        }
    }
    return consumed;
}

void ResponseParser::put_eof() {
    if (complete_) {
        return;
    }
    const bool started = in_body_ || reader_.has_partial();
    if (reader_.has_partial()) {
        if (in_body_) {
            body_line(reader_.line());
        } else {
            status_line(reader_.line());
        }
        reader_.next();
    }
    if (!complete_ && in_body_) {
        note("the connection closed before the body's terminating \".\" line (after ",
             std::to_string(body_lines_), " lines)");
        in_body_ = false;
        complete_ = true;
    }
    if (complete_ && started) {
        current_.cut_off = true;
    }
}

void ResponseParser::status_line(const ReceivedLine& line) {
    if (line.length + 2 > limits_.grammar_line) {
        note("the status line is ", std::to_string(line.length + 2), " octets long, over the ",
             std::to_string(limits_.grammar_line), " that RFC 2449 4 allows");
    }
    if (line.bare_lf) {
        note("the status line ends with a bare LF instead of CRLF (RFC 1939 3)");
    } else if (line.unterminated) {
        note("the status line has no line end (the connection closed)");
    }
    current_.status_line.assign(line.text);
    const std::string& received = current_.status_line;
    bool missing_space = false;
    std::string& text = current_.text;
    if (split_status(received, "+OK", text, missing_space)) {
        current_.status = Status::ok;
    } else if (split_status(received, "-ERR", text, missing_space)) {
        current_.status = Status::err;
    } else if (split_status(received, "+", text, missing_space) && !missing_space) {
        current_.status = Status::continuation;
    } else {
        current_.status = Status::invalid;
        text.assign(received);
        note("the status line starts with neither +OK nor -ERR (RFC 1939 3)");
    }
    if (missing_space) {
        note("the status indicator ", to_string(current_.status),
             " is not followed by a space (RFC 1939 3)");
    }
    if (current_.status != Status::continuation && !text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string::npos) {
            note("the response code lacks its closing \"]\" (RFC 2449 8)");
        } else {
            current_.resp_code.assign(std::string_view(text).substr(1, close - 1));
        }
    }
    if (current_.status == Status::ok && expect_body_ && !line.unterminated) {
        current_.multiline = true;
        in_body_ = true;
    } else {
        complete_ = true;
    }
}

void ResponseParser::body_line(const ReceivedLine& line) {
    const std::string number = std::to_string(body_lines_ + 1);
    if (line.bare_lf) {
        note("body line ", number, " ends with a bare LF instead of CRLF (RFC 1939 3)");
    }
    if (line.text == "." && !line.truncated() && !line.unterminated) {
        in_body_ = false;
        complete_ = true;
        return;
    }
    current_.body_octets += line.length + 2;
    if (line.truncated()) {  // the kept body no longer matches the wire: say so
        note("body line ", number, " is ", std::to_string(line.length + 2),
             " octets long: only the first ", std::to_string(line.text.size()), " were kept");
    }
    std::string_view text = line.text;
    if (text.starts_with('.')) {
        if (text.size() < 2 || text[1] != '.') {
            note("body line ", number,
                 " starts with \".\" but is not dot-stuffed (RFC 1939 3: \"..\" expected)");
        }
        text.remove_prefix(1);
    }
    if (kept_bytes_ + text.size() > limits_.body_bytes) {
        if (kept_bytes_ <= limits_.body_bytes) {
            note("the body is over ", std::to_string(limits_.body_bytes),
                 " bytes: the rest is counted, not kept");
            kept_bytes_ = limits_.body_bytes + 1;
        }
        return;
    }
    kept_bytes_ += text.size();
    reused_slot(current_.body, body_lines_++).assign(text);
}

void ResponseParser::take(ParsedResponse& into) {
    if (dropped_diagnostics_ > 0) {
        assign_concat(reused_slot(current_.diagnostics, diagnostics_++), "... and ",
                      std::to_string(dropped_diagnostics_), " more diagnostics");
    }
    current_.body.resize(body_lines_);
    current_.diagnostics.resize(diagnostics_);
    std::swap(into, current_);
    current_.status = Status::invalid;
    current_.status_line.clear();
    current_.text.clear();
    current_.resp_code.clear();
    current_.multiline = false;
    current_.body_octets = 0;
    current_.cut_off = false;
    body_lines_ = 0;
    diagnostics_ = 0;
    kept_bytes_ = 0;
    dropped_diagnostics_ = 0;
    expect_body_ = false;
    in_body_ = false;
    complete_ = false;
}

ParsedResponse ResponseParser::take() {
    ParsedResponse out;
    take(out);
    return out;
}

}  // namespace mh::proto::pop3
