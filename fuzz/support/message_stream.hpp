#pragma once
// Pulls one parsed message at a time (an SMTP reply, a POP3 response) from a lenient parser fed
// the segments of a fuzz input, checking that every put() makes progress and that nothing is
// left once the input is used up. Two streams, one on the segments and one on the whole input,
// are compared message by message, each taking into one reused object: `take(into)` swaps that
// object's storage with the parser's, so neither allocates once it has seen two messages. All of
// it lives for one input: storage kept across inputs that grows and shrinks with them makes
// libFuzzer suspect a leak on most inputs and turn its leak detection off.
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

#include "fuzz/support/fuzz_input.hpp"

namespace mh::fuzz {

// Parser: put(bytes) -> consumed, put_eof(), take(Message&), and the two predicates given:
// `complete` (a message is ready) and `partial` (bytes of an unfinished one are buffered).
template <class Parser, class Message, bool (Parser::*complete)() const,
          bool (Parser::*partial)() const>
class MessageStream {
  public:
    MessageStream(Parser parser, std::span<const std::string_view> segments)
        : parser_(std::move(parser)), segments_(segments) {}

    Parser& parser() { return parser_; }

    // The next message into `into`; false once the input is used up.
    bool next(Message& into) {
        for (; index_ < segments_.size(); ++index_, offset_ = 0) {
            std::string_view rest = segments_[index_].substr(offset_);
            while (!rest.empty()) {
                const std::size_t used = parser_.put(rest);
                require(used <= rest.size(), "put() consumed more than it was given");
                rest.remove_prefix(used);
                offset_ += used;
                if ((parser_.*complete)()) {
                    parser_.take(into);
                    return true;
                }
                require(used > 0, "put() made no progress without a complete message");
            }
        }
        if (!ended_) {
            ended_ = true;
            parser_.put_eof();
            if ((parser_.*complete)()) {
                parser_.take(into);
                return true;
            }
        }
        require(!(parser_.*partial)(), "bytes left in the parser after end of input");
        return false;
    }

  private:
    Parser parser_;
    std::span<const std::string_view> segments_;
    std::size_t index_ = 0;
    std::size_t offset_ = 0;
    bool ended_ = false;
};

// Pulls the segmented stream's messages one by one, each checked to equal the whole stream's
// next one when the input was segmented, then handed to `check`; both streams must end together.
template <class Stream, class Message, class Same, class Check>
void check_in_step(Stream& split, Stream& at_once, bool segmented, Same same, Check check) {
    Message message;
    Message unsplit;
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
