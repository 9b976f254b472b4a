#pragma once
// The strings of one parsed message (its lines, its diagnostics) back to back in one buffer that
// only grows. A lenient parser clears its lists for every message and, once the buffers are large
// enough, appends without allocating; the caller sees the strings in place, as views. Storage
// that only grows is also what a fuzz target may keep for the whole process: memory freed and
// allocated again from input to input makes libFuzzer suspect a leak (docs/fuzzing.md, "A trap
// found on the way").

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/common/concat.hpp"

namespace mh::proto {

class StringList {
  public:
    // What a parser that copies its messages out keeps between them (see clear()).
    static constexpr std::size_t kept_between_copies = 64 * 1024;

    // Forgets every string; all the storage stays for the next strings (no allocation at all
    // once it is large enough: what the fuzz targets want).
    void clear() {
        buffer_.clear();
        spans_.clear();
        views_.clear();
    }
    // The same, but storage grown past `kept_bytes` is given back, so that a parser living for a
    // connection holds no huge buffer after one huge message.
    void clear(std::size_t kept_bytes) {
        if (storage() > kept_bytes) {  // swapped with empty ones: a move keeps a string's buffer
            std::string().swap(buffer_);
            std::vector<Span>().swap(spans_);
            std::vector<std::string_view>().swap(views_);
            return;
        }
        clear();
    }
    // Bytes of storage held: the text buffer's and the offsets' and views' capacity.
    std::size_t storage() const {
        return buffer_.capacity() + spans_.capacity() * sizeof(Span) +
               views_.capacity() * sizeof(std::string_view);
    }

    std::size_t size() const { return spans_.size(); }
    bool empty() const { return spans_.empty(); }
    std::string_view operator[](std::size_t index) const { return views_[index]; }
    // Every string in place, valid until the list changes.
    std::span<const std::string_view> views() const { return views_; }

    // Appends the pieces joined as one string (text_piece(): character arrays are taken for
    // string literals); no piece may refer to this list.
    template <class... Parts>
    void push_back(const Parts&... parts) {
        const std::size_t capacity = buffer_.capacity();
        const std::size_t offset = buffer_.size();
        (buffer_.append(text_piece(parts)), ...);
        spans_.push_back({offset, buffer_.size() - offset});
        if (buffer_.capacity() == capacity) {
            views_.push_back(view_of(spans_.back()));
        } else {  // the buffer moved (it grew): every view is made again from the offsets
            views_.clear();
            for (const Span span : spans_) {
                views_.push_back(view_of(span));
            }
        }
    }
    // Drops the first `count` characters of string `index`.
    void remove_prefix(std::size_t index, std::size_t count) {
        spans_[index].offset += count;
        spans_[index].size -= count;
        views_[index].remove_prefix(count);
    }

  private:
    struct Span {
        std::size_t offset;
        std::size_t size;
    };
    std::string_view view_of(Span span) const { return {buffer_.data() + span.offset, span.size}; }

    std::string buffer_;
    std::vector<Span> spans_;              // where each string is: what survives the buffer moving
    std::vector<std::string_view> views_;  // the same as views, for callers
};

// `views` copied into `out`, whose strings are reused (resized to the count, each assigned).
inline void assign_strings(std::vector<std::string>& out, std::span<const std::string_view> views) {
    out.resize(views.size());
    for (std::size_t index = 0; index < views.size(); ++index) {
        out[index].assign(views[index]);
    }
}

}  // namespace mh::proto
