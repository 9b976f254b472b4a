// BDAT framing (RFC 3030 2; proto/smtp/data_framing.hpp ChunkReader and ContentSink): the input is
// a client stream of "BDAT <size> [LAST]" command lines, each followed by its chunk (0xFF =
// segment boundary). Sizes that disagree with the bytes that follow are the point: a chunk takes
// exactly its size, whatever it contains (CRLF.CRLF, commands), and the next command starts after.
// Invariants: a chunk consumes min(owed, offered) octets; the sink counts every octet and keeps at
// most its limit, reporting overflow exactly when the total passes it; segmentation changes
// nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/line_framer.hpp"
#include "proto/smtp/command.hpp"
#include "proto/smtp/data_framing.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

constexpr std::size_t max_size = 256;  // small, so that overflow is reached

// What a stream read, each list as one string of length-prefixed items (one buffer that only
// grows instead of a string per item: the two outcomes are kept for the whole process).
struct Outcome {
    std::string messages;  // content of each message ended by BDAT ... LAST
    std::string commands;  // every command line, in order
    std::uint64_t total = 0;
    bool overflowed = false;

    bool operator==(const Outcome&) const = default;

    void clear() {
        messages.clear();
        commands.clear();
        total = 0;
        overflowed = false;
    }
    static void add(std::string& list, std::string_view item) {
        list.append(std::to_string(item.size())).append(":").append(item);
    }
};

class BdatStream {
  public:
    explicit BdatStream(Outcome& outcome) : outcome_(outcome) { outcome_.clear(); }

    void put(std::string_view bytes) {
        while (!bytes.empty()) {
            if (chunk_) {
                const std::uint64_t owed = chunk_->remaining();
                const std::size_t used = chunk_->put(bytes, sink_);
                require(used == std::min<std::uint64_t>(owed, bytes.size()),
                        "a chunk took other than min(owed, offered) octets");
                bytes.remove_prefix(used);
                if (chunk_->done()) {
                    end_chunk();
                }
                continue;
            }
            const std::size_t used = framer_.put(bytes);
            require(used > 0, "the framer made no progress");
            bytes.remove_prefix(used);
            if (framer_.has_line()) {
                command(framer_.line());
                framer_.reset();
            }
        }
    }

    void finish() {
        outcome_.total = sink_.total();
        outcome_.overflowed = sink_.overflowed();
    }

  private:
    void command(const mh::proto::FramedLineView& line) {
        Outcome::add(outcome_.commands, line.text);
        const auto parsed = smtp::parse_command(line.text);
        if (!parsed || parsed->verb != smtp::Verb::bdat) {
            return;
        }
        const auto& args = std::get<smtp::BdatArgs>(parsed->args);
        last_ = args.last;
        chunk_.emplace(args.size);
        if (chunk_->done()) {
            end_chunk();
        }
    }

    void end_chunk() {
        chunk_.reset();
        require(sink_.overflowed() == (sink_.total() > max_size),
                "overflow reported unlike the total octet count");
        if (last_) {
            const std::uint64_t total = sink_.total();
            const bool overflowed = sink_.overflowed();
            std::string content = sink_.take();
            require(content.size() <= max_size, "the sink kept more than its limit");
            require(overflowed || content.size() == total, "the sink lost octets under its limit");
            Outcome::add(outcome_.messages, content);
            sink_ = smtp::ContentSink(max_size, 1000);
        }
    }

    mh::proto::LineFramer framer_{512};
    smtp::ContentSink sink_{max_size, 1000};
    std::optional<smtp::ChunkReader> chunk_;
    bool last_ = false;
    Outcome& outcome_;
};

void read(std::span<const std::string_view> segments, Outcome& outcome) {
    BdatStream stream(outcome);
    for (const auto segment : segments) {
        stream.put(segment);
    }
    stream.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> segments;  // all only grow: reused across inputs
    static std::string whole;
    static Outcome outcome;
    static Outcome at_once;
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), segments);
    read(segments, outcome);
    if (segments.size() > 1) {
        mh::fuzz::joined(segments, whole);
        const std::string_view whole_view = whole;
        read(std::span(&whole_view, 1), at_once);
        require(at_once == outcome, "segmentation changed BDAT reading");
    }
    return 0;
}
