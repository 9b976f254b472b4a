#include "proto/smtp/reply_parser.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "proto/common/concat.hpp"
#include "proto/common/reused_slot.hpp"

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

template <class... Parts>
void ReplyParser::note(const Parts&... parts) {
    assign_concat(reused_slot(current_.diagnostics, diagnostics_++), parts...);
}

std::size_t ReplyParser::put(std::string_view bytes) {
    std::size_t consumed = 0;
    while (consumed < bytes.size() && !complete_) {
        consumed += reader_.put(bytes.substr(consumed));
        if (reader_.has_line()) {
            finish_line(reader_.line());
            reader_.next();
        }
    }
    return consumed;
}

void ReplyParser::put_eof() {
    if (complete_) {
        return;
    }
    if (reader_.has_partial()) {
        finish_line(reader_.line());
        reader_.next();
    }
    if (!complete_ && lines_ > 0) {
        note("the connection closed in the middle of the reply (after ", std::to_string(lines_),
             " lines)");
        finish_reply(true);
    } else if (complete_) {
        current_.cut_off = true;
    }
}

template <class... Parts>
void ReplyParser::note_line(std::size_t number, const Parts&... what) {
    note("line ", std::to_string(number), " of the reply", what...);
}

void ReplyParser::finish_line(const ReceivedLine& received) {
    const std::size_t number = lines_ + 1;
    std::string& line = reused_slot(current_.raw_lines, lines_);
    line.assign(received.text);
    const std::size_t length = received.length;
    if (length + 2 > limits_.grammar_line) {
        note_line(number, " is ", std::to_string(length + 2), " octets long, over the ",
                  std::to_string(limits_.grammar_line), " that RFC 5321 4.5.3.1.5 allows",
                  received.truncated()
                      ? concat(" (only the first ", std::to_string(line.size()), " were kept)")
                      : std::string());
    }
    if (received.bare_lf) {
        note_line(number, " ends with a bare LF instead of CRLF (RFC 5321 2.3.8)");
    } else if (received.unterminated) {
        note_line(number, " has no line end (the connection closed)");
    }

    const bool has_code =
        line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]);
    bool last = true;
    std::string& text = reused_slot(current_.reply.lines, lines_);
    const std::string_view view = line;
    if (!has_code) {
        if (number == 1) {
            note_line(number, " does not start with a three-digit reply code");
        } else {
            // Most likely text that lost its "NNN-" prefix: read on until a line ends the reply.
            note_line(number, " lacks the code-hyphen continuation (\"",
                      std::to_string(current_.reply.code), "-\")");
            last = false;
        }
        text.assign(view);
    } else {
        const std::string_view code_text = view.substr(0, 3);
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (number == 1) {
            current_.reply.code = code;
            if (line[0] < '2' || line[0] > '5' || line[1] > '5') {
                note("reply code ", code_text,
                     " is outside the grammar of RFC 5321 4.2 (first digit 2-5, second 0-5)");
            }
        } else if (code != current_.reply.code) {
            note_line(number, " has code ", code_text, " but line 1 has ",
                      std::to_string(current_.reply.code),
                      " (RFC 5321 4.2.1: every line of a reply carries the same code)");
        }
        if (line.size() == 3 || line[3] == ' ') {
            text.assign(view.substr(std::min<std::size_t>(4, view.size())));
        } else if (line[3] == '-') {
            text.assign(view.substr(4));
            last = false;
        } else {
            note_line(number, " lacks the space or hyphen after the code");
            text.assign(view.substr(3));
        }
    }
    ++lines_;
    if (last) {
        finish_reply(false);
    } else if (lines_ >= limits_.lines_per_reply) {
        note("the reply was cut off after ", std::to_string(limits_.lines_per_reply), " lines");
        finish_reply(true);
    }
}

void ReplyParser::finish_reply(bool cut_off) {
    Reply& reply = current_.reply;
    current_.raw_lines.resize(lines_);
    reply.lines.resize(lines_);
    const std::string enhanced(leading_enhanced_code(reply.lines.front()));
    if (!enhanced.empty() && reply.code != 0) {
        if (enhanced[0] != std::to_string(reply.code)[0]) {
            note("enhanced code ", enhanced, " does not match the class of reply code ",
                 std::to_string(reply.code), " (RFC 3463 2)");
        }
        for (std::size_t i = 0; i < reply.lines.size(); ++i) {
            std::string& text = reply.lines[i];
            if (leading_enhanced_code(text) == enhanced) {
                text.erase(0,
                           text.size() > enhanced.size() ? enhanced.size() + 1 : enhanced.size());
            } else {
                note_line(i + 1, " lacks the enhanced status code ", enhanced,
                          " that line 1 carries (RFC 2034 4)");
            }
        }
        reply.enhanced = enhanced;
    }
    current_.diagnostics.resize(diagnostics_);
    current_.cut_off = cut_off;
    complete_ = true;
}

void ReplyParser::take(ParsedReply& into) {
    current_.raw_lines.resize(lines_);
    current_.reply.lines.resize(lines_);
    current_.diagnostics.resize(diagnostics_);
    std::swap(into, current_);
    current_.reply.code = 0;
    current_.reply.enhanced.clear();
    current_.cut_off = false;
    lines_ = 0;
    diagnostics_ = 0;
    complete_ = false;
}

ParsedReply ReplyParser::take() {
    ParsedReply out;
    take(out);
    return out;
}

}  // namespace mh::proto::smtp
