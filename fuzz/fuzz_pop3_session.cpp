// The reference POP3 session machine over an in-memory store, driven by the client's byte stream
// cut into turns at 0xFF (one put() per turn; STLS handshakes succeed at once). Every response is
// paired with the command it answers and checked by fuzz/support/pop3_model.hpp: grammar (the
// runner's response parser finds no deviation), +OK/-ERR as RFC 1939 prescribes for the state,
// STAT/LIST counts, RETR content, nothing after QUIT, deletions only in UPDATE after QUIT.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/pop3_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::vector<std::string_view> turns;  // reused: only its capacity outlives an input
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), turns);
    mh::fuzz::Pop3Model model;
    for (const auto turn : turns) {
        model.turn(turn);
    }
    model.finish();
    return 0;
}
