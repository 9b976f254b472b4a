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

constexpr std::uint16_t crlf = '\r' << 8 | '\n';

std::uint16_t octet(char c) {
    return static_cast<unsigned char>(c);
}

// The two octets before `at`, the first in the high byte, given the octets from `start` to `at`
// and the two before `start`.
[[gnu::always_inline]] inline std::uint16_t two_before(const char* start, const char* at,
                                                       std::uint16_t before_start) {
    if (at - start >= 2) {
        return static_cast<std::uint16_t>(octet(at[-2]) << 8 | octet(at[-1]));
    }
    if (at - start == 1) {
        return static_cast<std::uint16_t>(before_start << 8 | octet(at[-1]));
    }
    return before_start;
}

}  // namespace

ContentSink::ContentSink(std::size_t max_size, std::size_t text_line_limit, std::string storage)
    : max_size_(max_size), text_line_limit_(text_line_limit), content_(std::move(storage)) {
    content_.clear();
}

// One comparison per append: the total only grows, so once over the limit every append is
// (and finds nothing left to drop).
void ContentSink::append(std::string_view bytes) {
    total_ += bytes.size();
    if (total_ > max_size_) {
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
    : last_two_(crlf), sink_(max_size, text_line_limit, std::move(storage)) {}

std::size_t DataReader::put(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        switch (state_) {
            case State::content:
                i = copy_run(bytes, i);
                break;
            case State::dot:
                if (bytes[i] == '\r') {
                    state_ = State::dot_cr;
                    ++i;
                } else {
                    // ".x": the first dot of a line with more on it is deleted (4.5.2); a dot
                    // right after it starts no line.
                    state_ = State::content;
                    last_two_ = '.';
                }
                break;
            case State::dot_cr:
                if (bytes[i] == '\n') {
                    state_ = State::done;
                    return i + 1;
                }
                // ".\r" then not LF: the dot was stuffing, the CR is (bare) content.
                sink_.append("\r");
                state_ = State::content;
                last_two_ = '.' << 8 | '\r';
                break;
            case State::done:
                return i;
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
    const std::uint16_t before_start = last_two_;  // a local: each load of a member is checked
    const char* dot = find(start, end, '.');
    while (dot != nullptr && two_before(start, dot, before_start) != crlf) {
        dot = find(dot + 1, end, '.');
    }
    const char* const run_end = dot != nullptr ? dot : end;
    sink_.append({start, static_cast<std::size_t>(run_end - start)});
    if (dot != nullptr) {
        state_ = State::dot;
        return static_cast<std::size_t>(dot + 1 - bytes.data());
    }
    last_two_ = two_before(start, end, before_start);
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
    // Run by run up to each dot that starts a line (at the start and after CRLF; after a bare LF
    // no line starts: the reader sees none there either), which is doubled: memchr for dots, not
    // for line ends, as DataReader reads it (in mail, a dot starts a line rarely).
    const char* const begin = content.data();
    const char* const end = begin + content.size();
    const char* run = begin;
    for (const char* dot = find(begin, end, '.'); dot != nullptr; dot = find(dot + 1, end, '.')) {
        if (two_before(begin, dot, crlf) == crlf) {
            out.append(run, dot + 1);
            run = dot;  // the dot once more
        }
    }
    out.append(run, end);
    if (!content.empty() && two_before(begin, end, 0) != crlf) {
        out += "\r\n";
    }
    out += ".\r\n";
}

}  // namespace mh::proto::smtp
