#pragma once
// The messages a bench run sends: sizes fixed or drawn from a size distribution, content built
// once per size and already in DATA wire form (dot-stuffed, ending in CRLF "." CRLF), so the hot
// path copies at most a template. In integrity mode each message carries
//   X-Mailharness-Bench: RUN-ID SEQUENCE sha256=HEX-OF-BODY
// which the integrity check (integrity.hpp) reads back after delivery.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mh::harness::bench {

struct SizeWeight {
    std::size_t size = 0;  // message octets, headers included
    std::uint64_t weight = 1;
};

// A size distribution file: one "SIZE WEIGHT" per line (SIZE in bytes, or with a k / M suffix
// for 1024 / 1048576), '#' starts a comment. Throws std::invalid_argument with FILE:LINE:COLUMN.
std::vector<SizeWeight> load_size_distribution(const std::filesystem::path& file);

inline constexpr std::string_view kBenchHeader = "X-Mailharness-Bench";

class MessageFactory {
  public:
    // `run_id` non-empty: integrity mode (every message tagged with its sequence number).
    MessageFactory(std::vector<SizeWeight> sizes, std::string from, std::string to,
                   std::string run_id);

    // The DATA wire form of message `sequence` (valid until the next call with this scratch),
    // and its size before framing in `octets`.
    std::string_view framed(std::uint64_t sequence, std::string& scratch,
                            std::uint64_t& octets) const;
    bool tagged() const { return !run_id_.empty(); }
    const std::string& run_id() const { return run_id_; }

  private:
    struct Template {
        std::string framed;
        std::size_t octets = 0;
        std::size_t sequence_offset = 0;  // where the 20 sequence digits go (tagged only)
    };
    const Template& pick(std::uint64_t sequence) const;

    std::string run_id_;
    std::vector<Template> templates_;
    std::vector<std::uint64_t> cumulative_weights_;
};

// The SHA-256 of `bytes` in lowercase hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace mh::harness::bench
