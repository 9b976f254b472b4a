#include "proto/smtp/reply_parser.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

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
    if (!complete_ && !raw_lines_.empty()) {
        note("the connection closed in the middle of the reply (after ", Decimal(raw_lines_.size()),
             " lines)");
        finish_reply(true);
    } else if (complete_) {
        cut_off_ = true;
    }
}

template <class... Parts>
void ReplyParser::note_line(std::size_t number, const Parts&... what) {
    note("line ", Decimal(number), " of the reply", what...);
}

void ReplyParser::finish_line(const ReceivedLine& received) {
    const std::size_t number = raw_lines_.size() + 1;
    const std::string_view line = received.text;
    raw_lines_.push_back(line);
    const std::size_t length = received.length;
    if (length + 2 > limits_.grammar_line) {
        const Decimal octets(length + 2);
        const Decimal limit(limits_.grammar_line);
        if (received.truncated()) {
            note_line(number, " is ", octets, " octets long, over the ", limit,
                      " that RFC 5321 4.5.3.1.5 allows (only the first ", Decimal(line.size()),
                      " were kept)");
        } else {
            note_line(number, " is ", octets, " octets long, over the ", limit,
                      " that RFC 5321 4.5.3.1.5 allows");
        }
    }
    if (received.bare_lf) {
        note_line(number, " ends with a bare LF instead of CRLF (RFC 5321 2.3.8)");
    } else if (received.unterminated) {
        note_line(number, " has no line end (the connection closed)");
    }

    const bool has_code =
        line.size() >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]);
    bool last = true;
    if (!has_code) {
        if (number == 1) {
            note_line(number, " does not start with a three-digit reply code");
        } else {
            // Most likely text that lost its "NNN-" prefix: read on until a line ends the reply.
            note_line(number, " lacks the code-hyphen continuation (\"", Decimal(code_), "-\")");
            last = false;
        }
        lines_.push_back(line);
    } else {
        const std::string_view code_text = line.substr(0, 3);
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (number == 1) {
            code_ = code;
            if (line[0] < '2' || line[0] > '5' || line[1] > '5') {
                note("reply code ", code_text,
                     " is outside the grammar of RFC 5321 4.2 (first digit 2-5, second 0-5)");
            }
        } else if (code != code_) {
            note_line(number, " has code ", code_text, " but line 1 has ", Decimal(code_),
                      " (RFC 5321 4.2.1: every line of a reply carries the same code)");
        }
        if (line.size() == 3 || line[3] == ' ') {
            lines_.push_back(line.substr(std::min<std::size_t>(4, line.size())));
        } else if (line[3] == '-') {
            lines_.push_back(line.substr(4));
            last = false;
        } else {
            note_line(number, " lacks the space or hyphen after the code");
            lines_.push_back(line.substr(3));
        }
    }
    if (last) {
        finish_reply(false);
    } else if (raw_lines_.size() >= limits_.lines_per_reply) {
        note("the reply was cut off after ", Decimal(limits_.lines_per_reply), " lines");
        finish_reply(true);
    }
}

void ReplyParser::finish_reply(bool cut_off) {
    const std::string_view enhanced = leading_enhanced_code(lines_[0]);
    if (!enhanced.empty() && code_ != 0) {
        enhanced_.assign(enhanced);  // a copy: the diagnostics below may quote it
        const Decimal code(code_);
        if (enhanced_.front() != std::string_view(code).front()) {
            note("enhanced code ", enhanced_, " does not match the class of reply code ", code,
                 " (RFC 3463 2)");
        }
        for (std::size_t i = 0; i < lines_.size(); ++i) {
            const std::string_view text = lines_[i];
            if (leading_enhanced_code(text) == enhanced_) {
                lines_.remove_prefix(
                    i, text.size() > enhanced_.size() ? enhanced_.size() + 1 : enhanced_.size());
            } else {
                note_line(i + 1, " lacks the enhanced status code ", enhanced_,
                          " that line 1 carries (RFC 2034 4)");
            }
        }
    }
    cut_off_ = cut_off;
    complete_ = true;
}

ReplyView ReplyParser::view() const {
    return ReplyView{.code = code_,
                     .enhanced = enhanced_,
                     .lines = lines_.views(),
                     .raw_lines = raw_lines_.views(),
                     .diagnostics = diagnostics_.views(),
                     .cut_off = cut_off_};
}

void ReplyParser::next() {
    start_next(std::numeric_limits<std::size_t>::max());
}

void ReplyParser::start_next(std::size_t kept_bytes) {
    code_ = 0;
    enhanced_.clear();
    lines_.clear(kept_bytes);
    raw_lines_.clear(kept_bytes);
    diagnostics_.clear(kept_bytes);
    cut_off_ = false;
    complete_ = false;
}

void ReplyParser::reset() {
    next();
    reader_.next();
}

void ReplyParser::take(ParsedReply& into) {
    const ReplyView reply = view();
    into.reply.code = reply.code;
    into.reply.enhanced.assign(reply.enhanced);
    assign_strings(into.reply.lines, reply.lines);
    assign_strings(into.raw_lines, reply.raw_lines);
    assign_strings(into.diagnostics, reply.diagnostics);
    into.cut_off = reply.cut_off;
    start_next(StringList::kept_between_copies);
}

ParsedReply ReplyParser::take() {
    ParsedReply out;
    take(out);
    return out;
}

}  // namespace mh::proto::smtp
