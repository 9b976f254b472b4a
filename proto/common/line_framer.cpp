#include "proto/common/line_framer.hpp"

#include <cstring>

namespace mh::proto {

LineFramer::LineFramer(std::size_t limit) : limit_(limit) {}

std::size_t LineFramer::put(std::string_view bytes) {
    if (complete_) {
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
        if (last_cr_) {  // CRLF: the only line end
            complete_ = true;
            // What a line within the limit holds is judged here, in one scan of it, rather than
            // in every piece of it put() was given (the final CR is the CRLF's).
            note(buffer_.data(), buffer_.data() + buffer_.size(), false);
            return static_cast<std::size_t>(lf + 1 - begin);
        }
        // A bare LF is an octet of the line, never its end: it cannot split a command in two.
        bare_lf_ = true;
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
    const bool cr_before = last_cr_;
    last_cr_ = end[-1] == '\r';
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
    bare_cr_ = bare_cr_ || cr_before || std::memchr(begin, '\r', size - 1) != nullptr;
    nul_ = nul_ || std::memchr(begin, '\0', size) != nullptr;
}

FramedLineView LineFramer::line() const {
    FramedLineView line;
    line.too_long = length_ + 1 > limit_;
    if (!line.too_long && !buffer_.empty()) {
        line.text = std::string_view(buffer_.data(), buffer_.size() - 1);  // without the CR
    }
    line.bare_lf = bare_lf_;
    line.bare_cr = bare_cr_;
    line.nul = nul_;
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
    last_cr_ = false;
    complete_ = false;
    bare_lf_ = false;
    bare_cr_ = false;
    nul_ = false;
}

}  // namespace mh::proto
