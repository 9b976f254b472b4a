#pragma once
// Records a case's conversation as C:/S: lines with times since the case started
// (harness/result.hpp TranscriptLine). Bounded: a case that moves megabytes keeps its first
// lines and a note of how much was left out.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result.hpp"

namespace mh::harness::transport {

// What escape_bytes does with bytes above 0x7F: a transcript keeps them (UTF-8 stays
// readable); a suite file escapes them (run::quote_raw) so that its text is plain ASCII.
enum class EightBit { keep, escape };

// One line for a transcript: CR, LF, TAB and other non-printable bytes escaped (\r \n \t \xHH),
// the notation `send` steps read back (run::unescape).
std::string escape_bytes(std::string_view bytes, EightBit eight_bit = EightBit::keep);

class TranscriptRecorder {
  public:
    explicit TranscriptRecorder(std::size_t max_lines = 2000)
        : start_(std::chrono::steady_clock::now()), max_lines_(max_lines) {}

    // Bytes the client wrote, split at CRLF (a bare LF stays inside a line, escaped).
    void client(std::string_view bytes, const std::string& connection);
    // One line the server sent, without its line end.
    void server(std::string_view line, const std::string& connection);
    void note(std::string_view text, const std::string& connection);

    double elapsed_ms() const;
    std::vector<TranscriptLine> take();

  private:
    void add(TranscriptLine::Direction direction, std::string_view raw,
             const std::string& connection);

    std::chrono::steady_clock::time_point start_;
    std::size_t max_lines_;
    std::size_t dropped_ = 0;
    std::vector<TranscriptLine> lines_;
};

}  // namespace mh::harness::transport
