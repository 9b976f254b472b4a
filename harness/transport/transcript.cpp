#include "harness/transport/transcript.hpp"

#include <cstdio>

namespace mh::harness::transport {

std::string escape_bytes(std::string_view bytes, EightBit eight_bit) {
    std::string out;
    out.reserve(bytes.size());
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (byte < 0x20 || byte == 0x7f || (byte > 0x7f && eight_bit == EightBit::escape)) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

double TranscriptRecorder::elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
}

void TranscriptRecorder::add(TranscriptLine::Direction direction, std::string_view raw,
                             const std::string& connection) {
    if (lines_.size() >= max_lines_) {
        ++dropped_;  // counted before escaping: a huge send costs a scan, not a copy
        return;
    }
    std::string text =
        direction == TranscriptLine::Direction::note ? std::string(raw) : escape_bytes(raw);
    lines_.push_back(TranscriptLine{direction, elapsed_ms(), std::move(text), connection});
}

void TranscriptRecorder::client(std::string_view bytes, const std::string& connection) {
    while (!bytes.empty()) {
        const std::size_t end = bytes.find("\r\n");
        if (end == std::string_view::npos) {
            add(TranscriptLine::Direction::client, bytes, connection);
            return;
        }
        add(TranscriptLine::Direction::client, bytes.substr(0, end), connection);
        bytes.remove_prefix(end + 2);
    }
}

void TranscriptRecorder::server(std::string_view line, const std::string& connection) {
    add(TranscriptLine::Direction::server, line, connection);
}

void TranscriptRecorder::note(std::string_view text, const std::string& connection) {
    add(TranscriptLine::Direction::note, text, connection);
}

std::vector<TranscriptLine> TranscriptRecorder::take() {
    if (dropped_ > 0) {
        lines_.push_back(
            TranscriptLine{TranscriptLine::Direction::note, elapsed_ms(),
                           std::to_string(dropped_) + " more transcript lines left out", ""});
        dropped_ = 0;
    }
    return std::move(lines_);
}

}  // namespace mh::harness::transport
