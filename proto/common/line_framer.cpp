#include "proto/common/line_framer.hpp"

#include <cstring>

namespace mh::proto {

LineFramer::LineFramer(std::size_t limit) : limit_(limit) {}

std::size_t LineFramer::put(std::string_view bytes) {
    if (complete_) {
        return 0;
    }
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const void* lf = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
        const std::size_t lf_at =
            lf == nullptr ? bytes.size()
                          : static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data());
        absorb(bytes.substr(pos, lf_at - pos));
        if (lf == nullptr) {
            return bytes.size();
        }
        if (last_cr_) {  // CRLF: the only line end
            complete_ = true;
            return lf_at + 1;
        }
        // A bare LF is an octet of the line, never its end: it cannot split a command in two.
        bare_lf_ = true;
        absorb(bytes.substr(lf_at, 1));
        pos = lf_at + 1;
    }
    return bytes.size();
}

void LineFramer::absorb(std::string_view chunk) {
    if (chunk.empty()) {
        return;
    }
    // A CR is bare when anything but LF follows it, including a CR that ended the last chunk.
    // memchr from CR to CR rather than a loop per octet: this runs on every command line.
    bare_cr_ = bare_cr_ || last_cr_;
    const char* const end = chunk.data() + chunk.size();
    for (const void* cr = std::memchr(chunk.data(), '\r', chunk.size() - 1);
         cr != nullptr && !bare_cr_;) {
        const char* next = static_cast<const char*>(cr) + 1;
        bare_cr_ = *next != '\n';
        cr = std::memchr(next, '\r', static_cast<std::size_t>(end - 1 - next));
    }
    nul_ = nul_ || std::memchr(chunk.data(), '\0', chunk.size()) != nullptr;
    last_cr_ = chunk.back() == '\r';
    length_ += chunk.size();
    // The final LF counts towards the limit too: a line of `limit` octets ends in CRLF.
    if (length_ + 1 <= limit_) {
        buffer_.append(chunk);
    } else {
        buffer_.clear();
    }
}

FramedLineView LineFramer::line() const {
    FramedLineView line;
    line.too_long = length_ + 1 > limit_;
    if (!line.too_long && !buffer_.empty()) {
        line.text = std::string_view(buffer_).substr(0, buffer_.size() - 1);  // without the CR
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
