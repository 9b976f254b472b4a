#include "proto/smtp/reply_parser.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "proto/common/clear_within.hpp"

namespace mh::proto::smtp {

namespace {

// One comparison, not two: every comparison of the parser is traced in the fuzz builds.
bool is_digit(char c) {
    return static_cast<unsigned>(c - '0') < 10U;
}

// 1 for the octets '0' to '9', 0 for the others: a lookup, no comparison, so that a reply code's
// three digits are one test (digit(a) & digit(b) & digit(c)).
constexpr std::array<std::uint8_t, 256> digit_octets = [] {
    std::array<std::uint8_t, 256> table{};
    for (char c = '0'; c <= '9'; ++c) {
        table[static_cast<unsigned char>(c)] = 1;
    }
    return table;
}();

unsigned digit(char c) {
    return digit_octets[static_cast<unsigned char>(c)];
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
    return {text.data(), pos};
}

std::size_t ReplyParser::put(std::string_view bytes) {
    const std::size_t size = bytes.size();
    while (!complete_ && reader_.read(bytes)) {
        finish_line(reader_.line());
    }
    raw_lines_.copy_block();  // the lines kept in place in `bytes`, before the caller's bytes go
    return size - bytes.size();
}

void ReplyParser::put_eof() {
    if (complete_) {
        return;
    }
    if (reader_.read_rest()) {
        finish_line(reader_.line());
    }
    if (!complete_ && !raw_lines_.empty()) {
        note(ReplyDiagnostic::closed_mid_reply, raw_lines_.size());
        finish_reply(true);
    } else if (complete_) {
        cut_off_ = true;
    }
}

void ReplyParser::finish_line(const ReceivedLine& received) {
    const std::size_t number = raw_lines_.size() + 1;
    const std::string_view line = received.text;
    keep_text(raw_lines_, received, line);
    const std::size_t length = received.length;
    if (length + 2 > limits_.grammar_line) {
        if (received.truncated()) {
            note(ReplyDiagnostic::line_too_long_cut, number, length + 2, limits_.grammar_line,
                 line.size());
        } else {
            note(ReplyDiagnostic::line_too_long, number, length + 2, limits_.grammar_line);
        }
    }
    if ((received.flags & (ReceivedLine::bare_lf | ReceivedLine::unterminated)) != 0) {
        note((received.flags & ReceivedLine::bare_lf) != 0 ? ReplyDiagnostic::bare_lf
                                                           : ReplyDiagnostic::unterminated,
             number);
    }

    const bool has_code =
        line.size() >= 3 && (digit(line[0]) & digit(line[1]) & digit(line[2])) != 0;
    bool last = true;
    if (!has_code) {
        if (number == 1) {
            note(ReplyDiagnostic::no_code, number);
        } else {
            // Most likely text that lost its "NNN-" prefix: read on until a line ends the reply.
            note(ReplyDiagnostic::lost_continuation, number, code_);
            last = false;
        }
        text_offsets_.push_back(0);
    } else {
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (number == 1) {
            code_ = code;
            // First digit 2-5 (one unsigned comparison), second 0-5.
            if (static_cast<unsigned>(line[0] - '2') > 3U || line[1] > '5') {
                note(ReplyDiagnostic::code_outside_grammar, code);
            }
        } else if (code != code_) {
            note(ReplyDiagnostic::code_differs, number, code, code_);
        }
        // A code alone ends the reply like "NNN " with no text; one switch, not a comparison
        // per separator.
        const bool separated = line.size() > 3;
        switch (separated ? line[3] : ' ') {
            case ' ':
                text_offsets_.push_back(separated ? 4 : 3);
                break;
            case '-':
                text_offsets_.push_back(4);
                last = false;
                break;
            default:
                note(ReplyDiagnostic::no_separator, number);
                text_offsets_.push_back(3);
                break;
        }
    }
    if (last) {
        finish_reply(false);
    } else if (raw_lines_.size() >= limits_.lines_per_reply) {
        note(ReplyDiagnostic::cut_off, limits_.lines_per_reply);
        finish_reply(true);
    }
}

void ReplyParser::finish_reply(bool cut_off) {
    // The raw lines are all in: their buffer no longer moves, the texts (and the enhanced code,
    // a part of line 1) can point into it.
    raw_lines_.seal();
    const std::size_t count = text_offsets_.size();
    if (line_views_.size() < count) {
        line_views_.resize(count);
    }
    // Pointers, not indices: pointer comparisons are not traced in the fuzz builds.
    std::string_view* const texts = line_views_.data();
    std::string_view* text = texts;
    const std::string_view* raw = raw_lines_.views().data();
    for (const std::uint8_t offset : text_offsets_) {
        *text++ = std::string_view(raw->data() + offset, raw->size() - offset);
        ++raw;
    }
    enhanced_ = code_ == 0 ? std::string_view() : leading_enhanced_code(texts[0]);
    if (!enhanced_.empty()) {
        if (enhanced_.front() != static_cast<char>('0' + code_ / 100)) {
            note(ReplyDiagnostic::enhanced_class, code_);
        }
        for (text = texts; text != texts + count; ++text) {
            if (leading_enhanced_code(*text) == enhanced_) {
                text->remove_prefix(text->size() > enhanced_.size() ? enhanced_.size() + 1
                                                                    : enhanced_.size());
            } else {
                note(ReplyDiagnostic::enhanced_missing, text - texts + 1);
            }
        }
    }
    cut_off_ = cut_off;
    complete_ = true;
}

ReplyView ReplyParser::view() const {
    return ReplyView{.code = code_,
                     .enhanced = enhanced_,
                     .lines = {line_views_.data(), text_offsets_.size()},
                     .raw_lines = raw_lines_.views(),
                     .diagnostics = diagnostics_.views(),
                     .cut_off = cut_off_};
}

void ReplyParser::next() {
    code_ = 0;
    enhanced_ = {};
    text_offsets_.clear();
    raw_lines_.clear();
    diagnostics_.clear();
    cut_off_ = false;
    complete_ = false;
}

void ReplyParser::give_back_storage(std::size_t kept_bytes) {
    clear_within(text_offsets_, kept_bytes);
    clear_within(line_views_, kept_bytes);
    raw_lines_.clear(kept_bytes);
    diagnostics_.clear(kept_bytes);
}

void ReplyParser::reset() {
    next();
    reader_.reset();
}

void ReplyParser::take(ParsedReply& into) {
    const ReplyView reply = view();
    into.reply.code = reply.code;
    into.reply.enhanced.assign(reply.enhanced);
    assign_strings(into.reply.lines, reply.lines);
    assign_strings(into.raw_lines, reply.raw_lines);
    diagnostic_texts(reply, into.diagnostics);
    into.cut_off = reply.cut_off;
    next();
    give_back_storage(StringList::kept_between_copies);
}

namespace {

std::string_view text_of(std::uint8_t kind) {
    switch (static_cast<ReplyDiagnostic>(kind)) {
        case ReplyDiagnostic::closed_mid_reply:
            return "the connection closed in the middle of the reply (after {} lines)";
        case ReplyDiagnostic::line_too_long:
            return "line {} of the reply is {} octets long, over the {} that RFC 5321 4.5.3.1.5 "
                   "allows";
        case ReplyDiagnostic::line_too_long_cut:
            return "line {} of the reply is {} octets long, over the {} that RFC 5321 4.5.3.1.5 "
                   "allows (only the first {} were kept)";
        case ReplyDiagnostic::bare_lf:
            return "line {} of the reply ends with a bare LF instead of CRLF (RFC 5321 2.3.8)";
        case ReplyDiagnostic::unterminated:
            return "line {} of the reply has no line end (the connection closed)";
        case ReplyDiagnostic::no_code:
            return "line {} of the reply does not start with a three-digit reply code";
        case ReplyDiagnostic::lost_continuation:
            return "line {} of the reply lacks the code-hyphen continuation (\"{}-\")";
        case ReplyDiagnostic::code_outside_grammar:
            return "reply code {code} is outside the grammar of RFC 5321 4.2 (first digit 2-5, "
                   "second 0-5)";
        case ReplyDiagnostic::code_differs:
            return "line {} of the reply has code {code} but line 1 has {} (RFC 5321 4.2.1: every "
                   "line of a reply carries the same code)";
        case ReplyDiagnostic::no_separator:
            return "line {} of the reply lacks the space or hyphen after the code";
        case ReplyDiagnostic::cut_off:
            return "the reply was cut off after {} lines";
        case ReplyDiagnostic::enhanced_class:
            return "enhanced code {text} does not match the class of reply code {} (RFC 3463 2)";
        case ReplyDiagnostic::enhanced_missing:
            return "line {} of the reply lacks the enhanced status code {text} that line 1 "
                   "carries (RFC 2034 4)";
    }
    return "unknown diagnostic";
}

}  // namespace

void diagnostic_texts(const ReplyView& reply, std::vector<std::string>& out) {
    assign_diagnostic_texts(out, reply.diagnostics, text_of, reply.enhanced);
}

std::vector<std::string> diagnostic_texts(const ReplyView& reply) {
    std::vector<std::string> out;
    diagnostic_texts(reply, out);
    return out;
}

ParsedReply ReplyParser::take() {
    ParsedReply out;
    take(out);
    return out;
}

}  // namespace mh::proto::smtp
