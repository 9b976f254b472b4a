#include "proto/common/line_framer.hpp"

#include <cstring>

namespace mh::proto {

LineFramer::LineFramer(std::size_t limit) : limit_(limit) {}

std::size_t LineFramer::put(std::string_view bytes) {
    if (complete_ || bytes.empty()) {
        return 0;
    }
    const void* lf = std::memchr(bytes.data(), '\n', bytes.size());
    const std::size_t body =
        lf == nullptr ? bytes.size()
                      : static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data());
    const std::string_view chunk = bytes.substr(0, body);

    if (!chunk.empty()) {
        // A CR is bare when anything but LF follows it, including a CR that ended the last chunk.
        if (last_cr_) {
            bare_cr_ = true;
        }
        for (std::size_t i = 0; i + 1 < chunk.size(); ++i) {
            if (chunk[i] == '\r' && chunk[i + 1] != '\n') {
                bare_cr_ = true;
            }
        }
        nul_ = nul_ || std::memchr(chunk.data(), '\0', chunk.size()) != nullptr;
        last_cr_ = chunk.back() == '\r';
        length_ += chunk.size();
        // The LF counts towards the limit too: a line of `limit` octets ends in CRLF.
        if (length_ + 1 <= limit_) {
            buffer_.append(chunk);
        } else if (!buffer_.empty()) {
            std::string().swap(buffer_);
        }
    }
    if (lf == nullptr) {
        return bytes.size();
    }
    complete_ = true;
    bare_lf_ = !last_cr_;
    return body + 1;
}

FramedLine LineFramer::take() {
    FramedLine line;
    line.too_long = length_ + 1 > limit_;
    if (!line.too_long) {
        line.text = std::move(buffer_);
        if (last_cr_) {
            line.text.pop_back();
        }
    }
    line.bare_lf = bare_lf_;
    line.bare_cr = bare_cr_;
    line.nul = nul_;
    reset();
    return line;
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
