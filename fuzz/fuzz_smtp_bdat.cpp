// BDAT framing (RFC 3030 2; proto/smtp/data_framing.hpp ChunkReader and ContentSink): the input is
// a client stream of "BDAT <size> [LAST]" command lines, each followed by its chunk (0xFF =
// segment boundary). Sizes that disagree with the bytes that follow are the point: a chunk takes
// exactly its size, whatever it contains (CRLF.CRLF, commands), and the next command starts after.
// Invariants: a chunk consumes min(owed, offered) octets; the sink counts every octet and keeps at
// most its limit, reporting overflow exactly when the total passes it; the commands, messages and
// octet counts read from the segments are those of an independent model of RFC 3030 2 read on
// the whole input, so segmentation changes nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/common/line_framer.hpp"
#include "proto/smtp/command.hpp"
#include "proto/smtp/data_framing.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

constexpr std::size_t max_size = 256;    // small, so that overflow is reached
constexpr std::size_t line_limit = 512;  // RFC 5321 4.5.3.1.4

// What the model reads on the whole input, in order, for the stream to be checked against as
// it reads (no copy of what the stream reads): every command line, as a view into the input,
// and the content of each message ended by BDAT ... LAST, one after the other in `contents`.
// Kept for the whole process: the buffers only grow.
struct Expected {
    std::vector<std::string_view> commands;
    std::string contents;
    std::vector<std::size_t> message_ends;  // where each message ends in `contents`
    std::uint64_t total = 0;                // octets of the unfinished message
    bool overflowed = false;

    void clear() {
        commands.clear();
        contents.clear();
        message_ends.clear();
        total = 0;
        overflowed = false;
    }
    std::string_view message(std::size_t i) const {
        const std::size_t start = i == 0 ? 0 : message_ends[i - 1];
        return {contents.data() + start, message_ends[i] - start};
    }
};

constexpr const char* differs = "BDAT reading differs from RFC 3030 2 read on the whole input";

// One for the process: each input starts a new stream in the buffers of the last one.
class BdatStream {
  public:
    void start(const Expected& expected) {
        framer_.reset();
        sink_ = smtp::ContentSink(max_size, 1000, sink_.take());
        chunk_.reset();
        last_ = false;
        expected_ = &expected;
        commands_ = 0;
        messages_ = 0;
    }

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
        require(commands_ == expected_->commands.size() &&
                    messages_ == expected_->message_ends.size() &&
                    sink_.total() == expected_->total &&
                    sink_.overflowed() == expected_->overflowed,
                differs);
    }

  private:
    void command(const mh::proto::FramedLineView& line) {
        require(
            commands_ < expected_->commands.size() && line.text == expected_->commands[commands_],
            differs);
        ++commands_;
        // A line parses as BDAT only if it starts with BDAT, so only such lines are parsed, what
        // follows the verb included (a parser that took "BDAT\t5" or "BDATX 5" for a chunk would
        // put the stream out of step with the model): the others cost parse_command's MAIL, RCPT,
        // EHLO and AUTH work for nothing this target checks. fuzz_smtp_command parses them, and
        // holds a parsed command to the verb its line starts with.
        const std::string_view text = line.text;
        if (text.size() < 4 || smtp::find_verb({text.data(), 4}) != smtp::Verb::bdat) {
            return;
        }
        const auto parsed = smtp::parse_command(text);
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
            require(messages_ < expected_->message_ends.size() &&
                        content == expected_->message(messages_),
                    differs);
            ++messages_;
            sink_ = smtp::ContentSink(max_size, 1000, std::move(content));
        }
    }

    mh::proto::LineFramer framer_{line_limit};
    smtp::ContentSink sink_{max_size, 1000};
    std::optional<smtp::ChunkReader> chunk_;
    bool last_ = false;
    const Expected* expected_ = nullptr;
    std::size_t commands_ = 0;  // command lines and messages read so far
    std::size_t messages_ = 0;
};

void read(const mh::fuzz::Turns& segments, const Expected& expected) {
    static BdatStream stream;
    stream.start(expected);
    segments.for_each([](std::string_view segment) { stream.put(segment); });
    stream.finish();
}

struct Bdat {
    std::uint64_t size = 0;
    bool last = false;
};

// Whether `text` is `upper` (upper-case letters and others) with letters in either case
// (RFC 5321 2.4). The model's own, octet by octet with pointers: proto's iequals is code under
// test, and traced wherever it is called.
bool same_without_case(const char* text, const char* text_end, std::string_view upper) {
    if (static_cast<std::size_t>(text_end - text) != upper.size()) {
        return false;
    }
    for (const char expected : upper) {
        const char c = *text++;
        if ((c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) != expected) {
            return false;
        }
    }
    return true;
}

// RFC 3030 2's "BDAT" SP chunk-size [SP end-marker], case-insensitive (RFC 5321 2.4), trailing
// white space tolerated (RFC 5321 4.1.1), a size of at most 19 digits (what fits in 64 bits).
// Pointers, not substr() and find(): out-of-line calls in the sanitizer build.
std::optional<Bdat> bdat_command(std::string_view line) {
    const char* const begin = line.data();
    const char* end = begin + line.size();
    while (end != begin && (end[-1] == ' ' || end[-1] == '\t')) {
        --end;
    }
    if (end - begin < 6 || !same_without_case(begin, begin + 5, "BDAT ")) {
        return std::nullopt;
    }
    const char* const digits = begin + 5;
    const char* digits_end = digits;
    while (digits_end != end && *digits_end >= '0' && *digits_end <= '9') {
        ++digits_end;
    }
    const auto count = static_cast<std::size_t>(digits_end - digits);
    const bool last = digits_end != end;
    if (count == 0 || count > 19 || (last && !same_without_case(digits_end, end, " LAST"))) {
        return std::nullopt;
    }
    Bdat bdat{0, last};
    for (const char* digit = digits; digit != digits_end; ++digit) {
        bdat.size = bdat.size * 10 + static_cast<std::uint64_t>(*digit - '0');
    }
    return bdat;
}

// The model: command lines end at CRLF (one over 512 octets is too long and no command); a BDAT
// line is followed by exactly its size in octets, whatever they hold; LAST ends the message.
// `input` outlives `expected`'s views into it.
void model(std::string_view input, Expected& expected) {
    expected.clear();
    std::string& content = expected.contents;  // the message being read comes last
    std::size_t message_start = 0;
    std::uint64_t total = 0;
    std::size_t pos = 0;
    for (auto end = mh::fuzz::find_crlf(input, 0); end != std::string_view::npos;
         end = mh::fuzz::find_crlf(input, pos)) {
        const std::string_view line(input.data() + pos, end - pos);
        pos = end + 2;
        const bool too_long = line.size() + 2 > line_limit;
        expected.commands.push_back(too_long ? std::string_view() : line);
        const auto bdat = too_long ? std::nullopt : bdat_command(line);
        if (!bdat) {
            continue;
        }
        // All that is left at most.
        const std::string_view chunk(input.data() + pos,
                                     std::min<std::uint64_t>(bdat->size, input.size() - pos));
        pos += chunk.size();
        total += chunk.size();
        if (total <= max_size) {
            content.append(chunk);
        } else {
            content.resize(message_start);  // over the limit: the sink keeps nothing
        }
        if (chunk.size() < bdat->size) {
            break;  // the input ends inside the chunk
        }
        if (bdat->last) {
            expected.message_ends.push_back(content.size());
            message_start = content.size();
            total = 0;
        }
    }
    expected.total = total;
    expected.overflowed = total > max_size;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static mh::fuzz::Turns segments;  // both only grow: reused across inputs
    static Expected expected;
    segments.split(mh::fuzz::as_text(data, size));
    model(segments.whole(), expected);  // its views are into segments.whole()
    read(segments, expected);
    return 0;
}
