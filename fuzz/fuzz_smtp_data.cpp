// DATA framing (proto/smtp/data_framing.hpp), the SMTP smuggling surface.
// On the raw input (0xFF = segment boundary), checked against an independent model of RFC 5321
// 4.1.1.4 / 4.5.2 read on the whole input: lines end only at CRLF, the data ends at the first
// line that is exactly ".", a leading "." of any other line is removed. Invariants: DataReader,
// fed the segments, ends exactly where the model does (end-of-data found once: bare CR / LF / NUL
// variants such as "\n.\n" or "\r\n.\r\r\n" never end it) and keeps the model's content, so
// segmentation changes nothing. Round trip: for any content x, the model reads all of
// frame_data(x), finds its end only at the last octet, and gives back x (with CRLF added when x
// lacks a final one). Flags: what the reader's sink reports of the content (bare CR / LF, NUL, a
// long line) is what RFC 5321 2.3.8 and 4.5.3.1.6, read octet by octet, find in the model's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/smtp/data_framing.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

constexpr std::size_t max_size = 1 << 20;  // above any input: nothing is dropped
constexpr std::size_t text_line = 1000;

struct Outcome {
    std::size_t consumed = 0;
    bool done = false;
    std::string content;
    smtp::ContentFlags flags;
};

// `outcome`: reused across inputs (the reader appends into its content's buffer).
void read(const mh::fuzz::Turns& segments, Outcome& outcome) {
    smtp::DataReader reader(max_size, text_line, std::move(outcome.content));
    reader.reserve(segments.whole().size());  // unstuffing only shrinks: no regrowth while reading
    outcome.consumed = 0;
    segments.for_each([&](std::string_view segment) {
        while (!segment.empty() && !reader.done()) {
            const std::size_t used = reader.put(segment);
            require(used > 0 && used <= segment.size(), "DataReader made no progress");
            outcome.consumed += used;
            segment.remove_prefix(used);
        }
    });
    outcome.done = reader.done();
    require(!reader.content().overflowed(), "content under the limit reported as overflowed");
    outcome.flags = reader.content().flags();
    outcome.content = reader.take();
}

// RFC 5321 4.5.2 read literally: CRLF-terminated lines; the first line "." ends the data, a
// leading "." of any other line is removed. Unfinished data keeps its last, unfinished line
// unstuffed too, unless that is "." or ".\r", which may still become the end line.
// `outcome`: reused across inputs (its content only grows).
void model(std::string_view input, Outcome& outcome) {
    outcome.content.clear();
    outcome.done = false;
    std::size_t start = 0;
    for (auto end = mh::fuzz::find_crlf(input, 0); end != std::string_view::npos;
         end = mh::fuzz::find_crlf(input, start)) {
        // The line with its CRLF; not substr(), an out-of-line call in the sanitizer build.
        const char* const line = input.data() + start;
        const std::size_t length = end + 2 - start;
        start = end + 2;
        if (length == 3 && line[0] == '.') {  // ".\r\n"; no memcmp: see find_crlf
            outcome.done = true;
            outcome.consumed = start;
            return;
        }
        const std::size_t stuffing = line[0] == '.' ? 1 : 0;
        outcome.content.append(line + stuffing, length - stuffing);
    }
    const std::string_view rest = input.substr(start);
    if (rest != "." && rest != ".\r") {
        outcome.content.append(rest.starts_with('.') ? rest.substr(1) : rest);
    }
    outcome.consumed = input.size();
}

// RFC 5321 2.3.8 read octet by octet: a CR is bare unless an LF follows it, an LF unless it
// follows a CR; a line, to its LF or to the end, is long past the text-line limit (4.5.3.1.6).
smtp::ContentFlags flags_of(std::string_view content) {
    bool bare_cr = false;  // locals, not the struct's members: no check of every bool load
    bool bare_lf = false;
    bool nul = false;
    bool long_line = false;
    std::size_t line = 0;
    char previous = '\n';  // not a CR
    for (const char octet : content) {
        bare_cr = bare_cr || (previous == '\r' && octet != '\n');
        bare_lf = bare_lf || (octet == '\n' && previous != '\r');
        nul = nul || octet == '\0';
        ++line;
        long_line = long_line || line > text_line;
        line = octet == '\n' ? 0 : line;
        previous = octet;
    }
    bare_cr = bare_cr || previous == '\r';  // nothing follows a final CR
    return {.bare_cr = bare_cr, .bare_lf = bare_lf, .nul = nul, .long_line = long_line};
}

// The reader on the input as segmented against the model on the whole: they agree exactly, so
// the segmentation changes nothing (an unsegmented input checks the reader in one piece).
void check_raw(const mh::fuzz::Turns& segments) {
    static Outcome got;  // both only grow: reused across inputs
    static Outcome expected;
    read(segments, got);
    model(segments.whole(), expected);
    require(got.done == expected.done,
            "end-of-data found where RFC 5321 4.5.2 sees none, or missed");
    require(got.consumed == expected.consumed, "end-of-data found at another offset");
    require(got.content == expected.content, "content differs from RFC 5321 4.5.2 unstuffing");
    const smtp::ContentFlags flags = flags_of(expected.content);
    require(got.flags.bare_cr == flags.bare_cr && got.flags.bare_lf == flags.bare_lf &&
                got.flags.nul == flags.nul && got.flags.long_line == flags.long_line,
            "bare CR / LF, NUL or long line reported unlike RFC 5321 2.3.8 / 4.5.3.1.6");
}

// frame_data is the client's side: it is read back with the model, the RFC's own reading (the
// reader is held to the model on every raw input above).
void check_round_trip(std::string_view content) {
    static std::string framed;  // both only grow: reused across inputs
    static Outcome got;
    framed.clear();
    smtp::frame_data(content, framed);
    model(framed, got);
    // The model stops at the first end-of-data, so consuming everything also means that none
    // was found before the last octet.
    require(got.done && got.consumed == framed.size(),
            "frame_data's end-of-data not found at its end, or found before it");
    const bool crlf_added = !content.empty() && !content.ends_with("\r\n");
    require(got.content.size() == content.size() + (crlf_added ? 2 : 0) &&
                got.content.starts_with(content) && (!crlf_added || got.content.ends_with("\r\n")),
            "unstuff(stuff(x)) != x");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = mh::fuzz::as_text(data, size);
    static mh::fuzz::Turns segments;  // reused across inputs
    segments.split(input);
    check_raw(segments);
    check_round_trip(input);
    return 0;
}
