#pragma once
// Pulls one parsed message at a time (an SMTP reply, a POP3 response) from a lenient parser fed
// the segments of a fuzz input, checking that every put() makes progress and that nothing is
// left once the input is used up. Two streams, one on the segments and one on the whole input,
// are compared message by message. Each message is the parser's view of it, in place: nothing
// is copied, and the parsers, kept for the whole process (reset per input), allocate nothing
// once their storage, which only grows, has seen large messages.
#include <cstddef>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/diagnostic.hpp"

namespace mh::fuzz {

// Parser: put(bytes) -> consumed, put_eof(), view() -> View, next(), reset(), and the two
// predicates given: `complete` (a message is ready) and `partial` (bytes of an unfinished one
// are buffered).
template <class Parser, class View, bool (Parser::*complete)() const,
          bool (Parser::*partial)() const>
class MessageStream {
  public:
    // Resets `parser`, which must outlive the stream.
    MessageStream(Parser& parser, std::span<const std::string_view> segments)
        : parser_(parser), segments_(segments) {
        parser_.reset();
    }

    Parser& parser() { return parser_; }

    // The next message into `into`, valid until the following call; false once the input is
    // used up.
    bool next(View& into) {
        if (handed_out_) {
            parser_.next();
            handed_out_ = false;
        }
        for (; index_ < segments_.size(); ++index_, offset_ = 0) {
            std::string_view rest = segments_[index_];
            rest.remove_prefix(offset_);  // not substr(): an out-of-line call per message
            while (!rest.empty()) {
                const std::size_t used = parser_.put(rest);
                require(used <= rest.size(), "put() consumed more than it was given");
                rest.remove_prefix(used);
                offset_ += used;
                if ((parser_.*complete)()) {
                    return hand_out(into);
                }
                require(used > 0, "put() made no progress without a complete message");
            }
        }
        if (!ended_) {
            ended_ = true;
            parser_.put_eof();
            if ((parser_.*complete)()) {
                return hand_out(into);
            }
        }
        require(!(parser_.*partial)(), "bytes left in the parser after end of input");
        return false;
    }

  private:
    bool hand_out(View& into) {
        // Made in place from view()'s result: an assignment would copy the view whole, a call to
        // ASan's memcpy check per message (views are trivially destructible).
        static_assert(std::is_trivially_destructible_v<View>);
        ::new (static_cast<void*>(&into)) View(parser_.view());
        handed_out_ = true;
        return true;
    }

    Parser& parser_;
    std::span<const std::string_view> segments_;
    std::size_t index_ = 0;
    std::size_t offset_ = 0;
    bool ended_ = false;
    bool handed_out_ = false;
};

// Whether two strings are equal, octet by octet here in the harness: string_view's == is an
// out-of-line compare() and an intercepted memcmp in the fuzz builds, for lines a few octets long.
inline bool same_string(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

inline bool same_strings(std::span<const std::string_view> a, std::span<const std::string_view> b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_string(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

// Whether two messages' diagnostic records are the same, compared here in the harness, which is
// not traced (Diagnostic's operator== is proto/ code: a traced comparison per field).
inline bool same_diagnostics(std::span<const proto::Diagnostic> a,
                             std::span<const proto::Diagnostic> b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].count != b[i].count) {
            return false;
        }
        for (std::size_t n = 0; n < a[i].count; ++n) {
            if (a[i].numbers[n] != b[i].numbers[n]) {
                return false;
            }
        }
    }
    return true;
}

// Pulls the segmented stream's messages one by one, each checked to equal the whole stream's
// next one when the input was segmented, then handed to `check`; both streams must end together.
template <class Stream, class View, class Same, class Check>
void check_in_step(Stream& split, Stream& at_once, bool segmented, Same same, Check check) {
    View message;
    View unsplit;
    while (split.next(message)) {
        if (segmented) {
            require(at_once.next(unsplit), "segmentation changed the number of messages");
            require(same(message, unsplit), "segmentation changed a message");
        }
        check(message);
    }
    require(!segmented || !at_once.next(unsplit), "segmentation changed the number of messages");
}

}  // namespace mh::fuzz
