#pragma once
// The strings of one parsed message (its lines) back to back in one buffer that only grows. A
// lenient parser clears its lists for every message and, once the buffers are large enough,
// appends without allocating; the caller sees the strings in place, as views, made once per
// message (seal()). Storage that only grows is also what a fuzz target may keep for the whole
// process: memory freed and allocated again from input to input makes libFuzzer suspect a leak
// (docs/fuzzing.md, "A trap found on the way").

#include <cstddef>
#include <cstdint>
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
    // Octets between two strings kept in place that are copied along with them (a line end, a
    // stuffing dot); a wider gap starts a new block, so a block holds little but the strings.
    static constexpr std::size_t max_gap = 4;

    // Forgets every string; all the storage stays for the next strings (no allocation at all
    // once it is large enough: what the fuzz targets want).
    void clear() {
        buffer_.clear();
        spans_.clear();
        sealed_ = 0;
        block_begin_ = block_end_ = 0;
    }
    // The same, but storage grown past `kept_bytes` is given back, so that a parser living for a
    // connection holds no huge buffer after one huge message.
    void clear(std::size_t kept_bytes) {
        if (storage() > kept_bytes) {  // swapped with empty ones: a move keeps a string's buffer
            std::string().swap(buffer_);
            std::vector<Span>().swap(spans_);
            std::vector<std::string_view>().swap(views_);
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

    // Appends the pieces joined as one string, copied now (text_piece(): character arrays are
    // taken for string literals); no piece may refer to this list.
    template <class... Parts>
    void push_back(const Parts&... parts) {
        copy_block();
        const std::size_t offset = buffer_.size();
        (buffer_.append(text_piece(parts)), ...);
        spans_.emplace_back(offset, buffer_.size() - offset);
    }
    // Appends `text`, which lies in bytes the caller keeps unchanged until copy_block() or
    // seal(): strings pushed this way one after the other from the same bytes (a message's
    // lines as they arrived in one put()) are copied as one block, not one by one.
    void push_back_in_place(std::string_view text) {
        const auto begin = reinterpret_cast<std::uintptr_t>(text.data());
        if (begin - block_end_ > max_gap) {  // not just after the block (or there is none)
            copy_block();
            block_begin_ = block_end_ = begin;
        }
        spans_.emplace_back(buffer_.size() + (begin - block_begin_), text.size());
        block_end_ = begin + text.size();
    }
    // Copies the strings pushed in place into the buffer (the caller's bytes may go after it).
    void copy_block() {
        const auto* const begin = reinterpret_cast<const char*>(block_begin_);
        const auto* const end = reinterpret_cast<const char*>(block_end_);
        if (begin != end) {  // as pointers: not a traced comparison in the fuzz builds
            buffer_.append(begin, end);
        }
        block_begin_ = block_end_ = 0;
    }
    // The strings are all in: copy_block(), then the views are made (once, not per string).
    void seal() {
        copy_block();
        sealed_ = spans_.size();
        // The views' vector only grows (clear() keeps its size): a resize per message would
        // zero the new views first, a call to ASan's memset check in the fuzz builds.
        if (views_.size() < sealed_) {
            views_.resize(sealed_);
        }
        std::string_view* view = views_.data();
        for (const Span& span : spans_) {
            *view++ = std::string_view(buffer_.data() + span.offset, span.size);
        }
    }

    // Every string in place (after seal()), valid until the list changes.
    std::span<const std::string_view> views() const { return {views_.data(), sealed_}; }
    std::string_view operator[](std::size_t index) const { return views_[index]; }

  private:
    struct Span {
        // Member by member, so that push_back() writes a span in place (a copied one is a call
        // to ASan's memcpy check in the fuzz builds).
        Span(std::size_t at, std::size_t length) : offset(at), size(length) {}
        std::size_t offset;
        std::size_t size;
    };

    std::string buffer_;
    std::vector<Span> spans_;              // where each string is: what survives the buffer moving
    std::vector<std::string_view> views_;  // the same as views, for callers (made by seal())
    std::size_t sealed_ = 0;               // views made by the last seal() (the rest are stale)
    // The strings pushed in place and not yet copied: addresses in the caller's bytes.
    std::uintptr_t block_begin_ = 0;
    std::uintptr_t block_end_ = 0;
};

// `views` copied into `out`, whose strings are reused (resized to the count, each assigned).
inline void assign_strings(std::vector<std::string>& out, std::span<const std::string_view> views) {
    out.resize(views.size());
    for (std::size_t index = 0; index < views.size(); ++index) {
        out[index].assign(views[index]);
    }
}

}  // namespace mh::proto
