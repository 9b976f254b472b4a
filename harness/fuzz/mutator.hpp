#pragma once
// Grammar-aware mutations of a conversation for the network fuzzer. Each operator knows the
// wire grammar it attacks: end-of-data variants followed by pipelined commands (smuggling),
// bare CR / LF / NUL, lines and arguments at and past each RFC limit, case and whitespace
// variants, repeated and unknown parameters, out-of-order and repeated commands, pipelined
// floods, plaintext injected after STARTTLS / STLS, damaged base64 in AUTH, BDAT sizes that
// disagree with the bytes, POP3 message numbers 0 / -1 / 4772185884, TCP segmentation changes
// and early close. Deterministic for a given random engine state.

#include <random>
#include <string>
#include <vector>

#include "harness/fuzz/conversation.hpp"

namespace mh::harness::fuzz {

class Mutator {
  public:
    // `donors` are conversations whose turns may be spliced in (the corpus; those of the same
    // protocol and account).
    explicit Mutator(std::uint64_t seed) : random_(seed) {}

    // Applies one to three operators; the names of those applied are added to `origin`.
    Conversation mutate(const Conversation& parent, const std::vector<Conversation>& donors);

    std::mt19937_64& random() { return random_; }

  private:
    bool apply_one(Conversation& c, const std::vector<Conversation>& donors, std::string& name);
    std::size_t pick(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
    }
    bool chance(unsigned percent) { return pick(100) < percent; }

    bool end_of_data_variant(Conversation& c);
    bool bare_line_end(Conversation& c);
    bool overlong(Conversation& c);
    bool case_and_space(Conversation& c);
    bool parameters(Conversation& c);
    bool reorder(Conversation& c);
    bool flood(Conversation& c);
    bool inject_after_starttls(Conversation& c);
    bool damage_base64(Conversation& c);
    bool bdat_mismatch(Conversation& c);
    bool pop3_numbers(Conversation& c);
    bool segmentation(Conversation& c);
    bool early_close(Conversation& c);
    bool splice(Conversation& c, const std::vector<Conversation>& donors);
    bool flip_bytes(Conversation& c);

    std::mt19937_64 random_;
};

}  // namespace mh::harness::fuzz
