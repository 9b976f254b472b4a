#include "proto/smtp/data_framing.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace mh::proto::smtp {

namespace {

// The first `c` in [from, end), or nullptr: memchr, not a loop over octets, because this is the
// hot path of every message received.
const char* find(const char* from, const char* end, char c) {
    return static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end - from)));
}

// Whether the octets before `at` end in CRLF, given the octets from `start` to `at` and whether
// the octet before `start` was a CR. Inlined: a call per dot in the content otherwise (the
// sanitizer build does not inline it by itself).
[[gnu::always_inline]] inline bool after_crlf(const char* start, const char* at,
                                              bool cr_before_start) {
    if (at - start >= 2) {
        return at[-2] == '\r' && at[-1] == '\n';
    }
    return at - start == 1 && cr_before_start && at[-1] == '\n';
}

}  // namespace

ContentSink::ContentSink(std::size_t max_size, std::size_t text_line_limit, std::string storage)
    : max_size_(max_size), text_line_limit_(text_line_limit), content_(std::move(storage)) {
    content_.clear();
}

void ContentSink::append(std::string_view bytes) {
    total_ += bytes.size();
    if (overflowed_) {
        return;
    }
    if (content_.size() + bytes.size() > max_size_) {
        overflowed_ = true;
        std::string().swap(content_);
        return;
    }
    content_.append(bytes);
}

// memchr scans rather than octet by octet, the flags in locals (each load of a bool member is
// checked again by UBSan), and no CR scan once a bare one is found.
ContentFlags ContentSink::flags() const {
    const char* const begin = content_.data();
    const char* const end = begin + content_.size();
    bool bare_cr = false;
    for (const char* cr = find(begin, end, '\r'); cr != nullptr; cr = find(cr + 1, end, '\r')) {
        if (cr + 1 == end || cr[1] != '\n') {
            bare_cr = true;
            break;
        }
    }
    // Every LF must follow a CR; line lengths count both (RFC 5321 4.5.3.1.6).
    bool bare_lf = false;
    std::size_t longest = 0;
    const char* line = begin;
    for (const char* lf = find(begin, end, '\n'); lf != nullptr; lf = find(line, end, '\n')) {
        bare_lf = bare_lf || lf == begin || lf[-1] != '\r';
        longest = std::max(longest, static_cast<std::size_t>(lf + 1 - line));
        line = lf + 1;
    }
    longest = std::max(longest, static_cast<std::size_t>(end - line));
    return {.bare_cr = bare_cr,
            .bare_lf = bare_lf,
            .nul = find(begin, end, '\0') != nullptr,
            .long_line = longest > text_line_limit_};
}

std::string ContentSink::take() {
    std::string out = std::move(content_);
    content_.clear();
    return out;
}

DataReader::DataReader(std::size_t max_size, std::size_t text_line_limit, std::string storage)
    : sink_(max_size, text_line_limit, std::move(storage)) {}

std::size_t DataReader::put(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size() && state_ != State::done) {
        const char c = bytes[i];
        switch (state_) {
            case State::line_start:
                if (c == '.') {
                    state_ = State::dot;
                    ++i;
                } else {
                    state_ = State::middle;
                    last_cr_ = false;
                }
                break;
            case State::dot:
                if (c == '\r') {
                    state_ = State::dot_cr;
                    ++i;
                } else {
                    // ".x": the first dot of a line with more on it is deleted (4.5.2).
                    state_ = State::middle;
                    last_cr_ = false;
                }
                break;
            case State::dot_cr:
                if (c == '\n') {
                    state_ = State::done;
                    ++i;
                } else {
                    // ".\r" then not LF: the dot was stuffing, the CR is (bare) content.
                    sink_.append("\r");
                    state_ = State::middle;
                    last_cr_ = true;
                }
                break;
            case State::middle:
                i = copy_run(bytes, i);
                break;
            case State::done:
                break;
        }
    }
    return i;
}

// Copies the content from `from` up to a dot that starts a line, which it consumes (the reader
// is then in `dot`), or up to the end of the bytes. Only such a dot needs the states of put(),
// so this looks for dots, not for line ends (the sink's scan finds those).
std::size_t DataReader::copy_run(std::string_view bytes, std::size_t from) {
    const char* const start = bytes.data() + from;
    const char* const end = bytes.data() + bytes.size();
    const bool cr_before_start = last_cr_;  // a local: each load of the member is checked (UBSan)
    const char* dot = find(start, end, '.');
    while (dot != nullptr && !after_crlf(start, dot, cr_before_start)) {
        dot = find(dot + 1, end, '.');
    }
    const char* const run_end = dot != nullptr ? dot : end;
    sink_.append({start, static_cast<std::size_t>(run_end - start)});
    if (dot != nullptr) {
        state_ = State::dot;
        return static_cast<std::size_t>(dot + 1 - bytes.data());
    }
    // The bytes end inside a line or at a line end; the next bytes go on from there.
    if (after_crlf(start, end, cr_before_start)) {
        state_ = State::line_start;
    } else {
        last_cr_ = end[-1] == '\r';
    }
    return bytes.size();
}

std::size_t ChunkReader::put(std::string_view bytes, ContentSink& sink) {
    const std::size_t taken = skip(bytes);
    sink.append(bytes.substr(0, taken));
    return taken;
}

std::size_t ChunkReader::skip(std::string_view bytes) {
    const auto taken = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
    remaining_ -= taken;
    return taken;
}

std::string frame_data(std::string_view content) {
    std::string out;
    frame_data(content, out);
    return out;
}

void frame_data(std::string_view content, std::string& out) {
    out.reserve(out.size() + content.size() + content.size() / 64 + 5);
    // Line by line with memchr, not octet by octet: a dot is doubled where a line starts, at the
    // start and after CRLF (after a bare LF no line starts: the reader sees none there either).
    const char* line = content.data();
    const char* const end = line + content.size();
    bool line_start = true;
    while (line != end) {
        if (line_start && *line == '.') {
            out += '.';
        }
        const auto* lf =
            static_cast<const char*>(std::memchr(line, '\n', static_cast<std::size_t>(end - line)));
        if (lf == nullptr) {
            out.append(line, end);
            break;
        }
        out.append(line, lf + 1);
        line_start = lf != content.data() && lf[-1] == '\r';
        line = lf + 1;
    }
    if (!content.empty() && !content.ends_with("\r\n")) {
        out += "\r\n";
    }
    out += ".\r\n";
}

}  // namespace mh::proto::smtp
