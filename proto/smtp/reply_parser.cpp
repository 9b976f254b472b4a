#include "proto/smtp/reply_parser.hpp"

#include <string>

#include "proto/common/concat.hpp"

namespace mh::proto::smtp {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Skips 1 to 3 digits at `pos`; returns the position after them, or npos when there are none.
std::size_t skip_digits(std::string_view text, std::size_t pos) {
    std::size_t end = pos;
    while (end < text.size() && end - pos < 3 && is_digit(text[end])) {
        ++end;
    }
    return end == pos ? std::string_view::npos : end;
}

// "line N of the reply" followed by `what`, as one allocation.
template <class... Parts>
std::string line_diagnostic(std::size_t number, const Parts&... what) {
    return concat("line ", std::to_string(number), " of the reply", what...);
}

}  // namespace

std::string_view leading_enhanced_code(std::string_view text) {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return {};
    }
    std::size_t pos = skip_digits(text, 2);
    if (pos == std::string_view::npos || pos >= text.size() || text[pos] != '.') {
        return {};
    }
    pos = skip_digits(text, pos + 1);
    if (pos == std::string_view::npos || (pos < text.size() && text[pos] != ' ')) {
        return {};
    }
    return text.substr(0, pos);
}

std::size_t ReplyParser::put(std::string_view bytes) {
    std::size_t consumed = 0;
    while (consumed < bytes.size() && !complete_) {
        consumed += reader_.put(bytes.substr(consumed));
        if (reader_.has_line()) {
            finish_line(reader_.take());
        }
    }
    return consumed;
}

void ReplyParser::put_eof() {
    if (complete_) {
        return;
    }
    if (reader_.has_partial()) {
        finish_line(reader_.take());
    }
    if (!complete_ && !current_.raw_lines.empty()) {
        note(concat("the connection closed in the middle of the reply (after ",
                    std::to_string(current_.raw_lines.size()), " lines)"));
        finish_reply(true);
    } else if (complete_) {
        current_.cut_off = true;
    }
}

void ReplyParser::finish_line(ReceivedLine received) {
    const bool truncated = received.truncated();
    std::string line = std::move(received.text);
    const std::size_t length = received.length;
    const std::size_t number = current_.raw_lines.size() + 1;
    if (length + 2 > limits_.grammar_line) {
        note(line_diagnostic(
            number, " is ", std::to_string(length + 2), " octets long, over the ",
            std::to_string(limits_.grammar_line), " that RFC 5321 4.5.3.1.5 allows",
            truncated ? concat(" (only the first ", std::to_string(line.size()), " were kept)")
                      : std::string()));
    }
    if (received.bare_lf) {
        note(line_diagnostic(number, " ends with a bare LF instead of CRLF (RFC 5321 2.3.8)"));
    } else if (received.unterminated) {
        note(line_diagnostic(number, " has no line end (the connection closed)"));
    }

    const bool has_code =
        line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]);
    bool last = true;
    std::string text;
    if (!has_code) {
        if (number == 1) {
            note(line_diagnostic(number, " does not start with a three-digit reply code"));
        } else {
            // Most likely text that lost its "NNN-" prefix: read on until a line ends the reply.
            note(line_diagnostic(number, " lacks the code-hyphen continuation (\"",
                                 std::to_string(current_.reply.code), "-\")"));
            last = false;
        }
        text = line;
    } else {
        const std::string_view code_text = std::string_view(line).substr(0, 3);
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (number == 1) {
            current_.reply.code = code;
            if (line[0] < '2' || line[0] > '5' || line[1] > '5') {
                note(concat(
                    "reply code ", code_text,
                    " is outside the grammar of RFC 5321 4.2 (first digit 2-5, second 0-5)"));
            }
        } else if (code != current_.reply.code) {
            note(line_diagnostic(number, " has code ", code_text, " but line 1 has ",
                                 std::to_string(current_.reply.code),
                                 " (RFC 5321 4.2.1: every line of a reply carries the same code)"));
        }
        if (line.size() == 3 || line[3] == ' ') {
            text = line.size() > 4 ? line.substr(4) : std::string();
        } else if (line[3] == '-') {
            text = line.substr(4);
            last = false;
        } else {
            note(line_diagnostic(number, " lacks the space or hyphen after the code"));
            text = line.substr(3);
        }
    }
    current_.raw_lines.push_back(std::move(line));
    current_.reply.lines.push_back(std::move(text));
    if (last) {
        finish_reply(false);
    } else if (current_.raw_lines.size() >= limits_.lines_per_reply) {
        note(concat("the reply was cut off after ", std::to_string(limits_.lines_per_reply),
                    " lines"));
        finish_reply(true);
    }
}

void ReplyParser::finish_reply(bool cut_off) {
    Reply& reply = current_.reply;
    const std::string enhanced(leading_enhanced_code(reply.lines.front()));
    if (!enhanced.empty() && reply.code != 0) {
        if (enhanced[0] != std::to_string(reply.code)[0]) {
            note(concat("enhanced code ", enhanced, " does not match the class of reply code ",
                        std::to_string(reply.code), " (RFC 3463 2)"));
        }
        for (std::size_t i = 0; i < reply.lines.size(); ++i) {
            std::string& text = reply.lines[i];
            if (leading_enhanced_code(text) == enhanced) {
                text.erase(0,
                           text.size() > enhanced.size() ? enhanced.size() + 1 : enhanced.size());
            } else {
                note(line_diagnostic(i + 1, " lacks the enhanced status code ", enhanced,
                                     " that line 1 carries (RFC 2034 4)"));
            }
        }
        reply.enhanced = enhanced;
    }
    current_.cut_off = cut_off;
    complete_ = true;
}

ParsedReply ReplyParser::take() {
    ParsedReply out = std::move(current_);
    current_ = ParsedReply{};
    complete_ = false;
    return out;
}

}  // namespace mh::proto::smtp
