#pragma once
// What the network fuzzer sends: the client side of one conversation, as turns. A turn is the
// bytes of one or more writes after which the fuzzer waits for the replies the reference model
// predicts; a STARTTLS / STLS turn is followed by the TLS handshake when the server agrees.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/model.hpp"

namespace mh::harness::fuzz {

struct Turn {
    enum class Kind { send, starttls };
    Kind kind = Kind::send;
    std::string bytes;
    // Offsets inside `bytes` where one write ends and the next begins (TCP segmentation).
    std::vector<std::size_t> cuts;
};

// The writes that carry a turn: its bytes cut at `cuts` (a cut that does not advance is ignored).
inline std::vector<std::string_view> writes_of(const Turn& turn) {
    std::vector<std::string_view> out;
    const std::string_view bytes = turn.bytes;
    std::size_t from = 0;
    for (std::size_t cut : turn.cuts) {
        if (cut > from && cut < bytes.size()) {
            out.push_back(bytes.substr(from, cut - from));
            from = cut;
        }
    }
    out.push_back(bytes.substr(from));
    return out;
}

struct Conversation {
    scenario::Protocol protocol = scenario::Protocol::smtp;
    std::string origin;  // "suite/case", then the mutations applied ("+eod-variant")
    std::vector<Turn> turns;
    // The client closes after the last turn without QUIT and without reading the replies.
    bool close_early = false;
    // The seed set it descends from (CampaignOptions::seed_sets), i.e. the account it logs in as.
    std::size_t account = 0;
};

// The command that ends a conversation politely: "QUIT\r\n" for both protocols.
inline constexpr const char* quit_line = "QUIT\r\n";

}  // namespace mh::harness::fuzz
