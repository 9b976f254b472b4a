#include "proto/common/line_framer.hpp"

#include <cstring>

namespace mh::proto {

LineFramer::LineFramer(std::size_t limit) : limit_(limit) {}

std::size_t LineFramer::put(std::string_view bytes) {
    if ((bits_ & complete) != 0) {
        return 0;
    }
    // Pointers rather than substr(): this runs on every command line, and each substr() is an
    // out-of-line call with a range check in sanitizer builds.
    const char* const begin = bytes.data();
    const char* const end = begin + bytes.size();
    for (const char* from = begin; from < end;) {
        const auto* lf =
            static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
        if (lf == nullptr) {
            absorb(from, end);
            break;
        }
        absorb(from, lf);
        if ((bits_ & last_cr) != 0) {  // CRLF: the only line end
            bits_ |= complete;
            // What a line within the limit holds is judged here, in one scan of it, rather than
            // in every piece of it put() was given (the final CR is the CRLF's).
            note(buffer_.data(), buffer_.data() + buffer_.size(), false);
            return static_cast<std::size_t>(lf + 1 - begin);
        }
        // A bare LF is an octet of the line, never its end: it cannot split a command in two.
        bits_ |= bare_lf;
        absorb(lf, lf + 1);
        from = lf + 1;
    }
    return bytes.size();
}

void LineFramer::absorb(const char* begin, const char* end) {
    if (begin == end) {
        return;
    }
    const auto size = static_cast<std::size_t>(end - begin);
    const bool cr_before = (bits_ & last_cr) != 0;
    bits_ = static_cast<std::uint8_t>((bits_ & ~last_cr) | (end[-1] == '\r' ? last_cr : 0));
    length_ += size;
    // The final LF counts towards the limit too: a line of `limit` octets ends in CRLF.
    if (length_ + 1 <= limit_) {
        buffer_.append(begin, size);  // judged when the line ends
        return;
    }
    // Over the limit (for good: the limit is fixed and a line only grows) nothing is kept, so
    // what these octets and those kept so far hold is noted now.
    if (!buffer_.empty()) {
        note(buffer_.data(), buffer_.data() + buffer_.size(), false);
        buffer_.clear();
    }
    note(begin, end, cr_before);
}

// put() cuts at every LF, so no CR inside the octets is followed by one: each is bare, and so is
// a CR right before them (had an LF followed it, the line would have ended). A final CR is
// judged with what comes next.
void LineFramer::note(const char* begin, const char* end, bool cr_before) {
    if (begin == end) {
        return;
    }
    const auto size = static_cast<std::size_t>(end - begin);
    const bool cr = cr_before || std::memchr(begin, '\r', size - 1) != nullptr;
    const bool zero = std::memchr(begin, '\0', size) != nullptr;
    bits_ |= static_cast<std::uint8_t>((cr ? bare_cr : 0) | (zero ? nul : 0));
}

FramedLineView LineFramer::line() const {
    FramedLineView line;
    line.too_long = length_ + 1 > limit_;
    if (!line.too_long && !buffer_.empty()) {
        line.text = std::string_view(buffer_.data(), buffer_.size() - 1);  // without the CR
    }
    line.bare_lf = (bits_ & bare_lf) != 0;
    line.bare_cr = (bits_ & bare_cr) != 0;
    line.nul = (bits_ & nul) != 0;
    return line;
}

FramedLine LineFramer::take() {
    const FramedLineView view = line();
    FramedLine taken{std::string(), view.too_long, view.bare_lf, view.bare_cr, view.nul};
    if (!view.too_long) {
        taken.text = std::move(buffer_);
        if (!taken.text.empty()) {
            taken.text.pop_back();  // the CR of the CRLF
        }
    }
    reset();
    return taken;
}

void LineFramer::reset() {
    buffer_.clear();
    length_ = 0;
    bits_ = 0;
}

}  // namespace mh::proto
