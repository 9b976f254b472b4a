#include "proto/smtp/data_framing.hpp"

#include <algorithm>
#include <cstring>

namespace mh::proto::smtp {

ContentSink::ContentSink(std::size_t max_size, std::size_t text_line_limit)
    : max_size_(max_size), text_line_limit_(text_line_limit) {}

void ContentSink::append(std::string_view bytes) {
    if (bytes.empty()) {
        return;
    }
    total_ += bytes.size();
    note_line_ends(bytes);
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

// Finds bare CR / LF, NUL and long lines with memchr scans rather than octet by octet: this is
// the hot loop of every message received.
void ContentSink::note_line_ends(std::string_view bytes) {
    const char* const begin = bytes.data();
    const char* const end = begin + bytes.size();
    const auto find = [end](const char* from, char c) {
        return static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end - from)));
    };
    // A CR that ended the previous append is bare unless this one starts with its LF.
    flags_.bare_cr = flags_.bare_cr || (last_cr_ && *begin != '\n');
    flags_.nul = flags_.nul || find(begin, '\0') != nullptr;
    // Every CR but a final one must be followed by LF; the final one is judged next time.
    for (const char* cr = find(begin, '\r'); cr != nullptr && !flags_.bare_cr;
         cr = find(cr + 1, '\r')) {
        flags_.bare_cr = cr + 1 < end && cr[1] != '\n';
    }
    // Every LF must follow a CR; line lengths count both (RFC 5321 4.5.3.1.6).
    const char* line = begin;
    for (const char* lf = find(begin, '\n'); lf != nullptr; lf = find(lf + 1, '\n')) {
        const bool after_cr = lf > begin ? lf[-1] == '\r' : last_cr_;
        flags_.bare_lf = flags_.bare_lf || !after_cr;
        line_length_ += static_cast<std::size_t>(lf - line) + 1;
        flags_.long_line = flags_.long_line || line_length_ > text_line_limit_;
        line_length_ = 0;
        line = lf + 1;
    }
    line_length_ += static_cast<std::size_t>(end - line);
    flags_.long_line = flags_.long_line || line_length_ > text_line_limit_;
    last_cr_ = end[-1] == '\r';
}

std::string ContentSink::take() {
    std::string out = std::move(content_);
    content_.clear();
    return out;
}

namespace {

const char* find_lf(std::string_view bytes, std::size_t from) {
    return static_cast<const char*>(std::memchr(bytes.data() + from, '\n', bytes.size() - from));
}

}  // namespace

DataReader::DataReader(std::size_t max_size, std::size_t text_line_limit)
    : sink_(max_size, text_line_limit) {}

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
            case State::middle: {
                // Copy in one go every line up to one that starts with "." (or the end of the
                // bytes): only a dot at a line start needs the states above.
                std::size_t end = bytes.size();
                bool line_ended = false;
                for (const char* lf = find_lf(bytes, i); lf != nullptr;) {
                    const auto at = static_cast<std::size_t>(lf - bytes.data());
                    const bool after_cr = at > i ? bytes[at - 1] == '\r' : last_cr_;
                    if (after_cr && (at + 1 == bytes.size() || bytes[at + 1] == '.')) {
                        end = at + 1;
                        line_ended = true;
                        break;
                    }
                    lf = find_lf(bytes, at + 1);
                }
                const std::string_view run = bytes.substr(i, end - i);
                sink_.append(run);
                last_cr_ = run.back() == '\r';
                if (line_ended) {
                    state_ = State::line_start;
                }
                i = end;
                break;
            }
            case State::done:
                break;
        }
    }
    return i;
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
    out.reserve(content.size() + content.size() / 64 + 5);
    // Line by line with memchr, not octet by octet: a dot is doubled where a line starts.
    bool line_start = true;
    for (std::size_t pos = 0; pos < content.size();) {
        if (line_start && content[pos] == '.') {
            out += '.';
        }
        const char* lf = find_lf(content, pos);
        const std::size_t end =
            lf == nullptr ? content.size() : static_cast<std::size_t>(lf - content.data()) + 1;
        out.append(content.data() + pos, end - pos);  // not substr(): no range check per line
        line_start = lf != nullptr && end >= 2 && content[end - 2] == '\r';
        pos = end;
    }
    if (!content.empty() && !content.ends_with("\r\n")) {
        out += "\r\n";
    }
    out += ".\r\n";
    return out;
}

}  // namespace mh::proto::smtp
