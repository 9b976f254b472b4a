#pragma once
// Seed conversations for the network fuzzer: the client side of every case of the suites, with
// the target profile's values filled in, plus each of them behind a login prefix (EHLO,
// STARTTLS and AUTH for SMTP; STLS and USER/PASS for POP3) so that mutations start from the
// post-EHLO, post-STARTTLS, post-AUTH and POP3 TRANSACTION states.

#include <vector>

#include "harness/fuzz/conversation.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::fuzz {

// What the target offers before TLS (from its EHLO / CAPA): decides the login prefix.
struct TargetTraits {
    bool tls_offered = false;      // STARTTLS / STLS
    bool login_before_tls = true;  // AUTH (SMTP) / USER (POP3) offered in plaintext
};

// Cases that need a second connection, a captured value or a value the profile lacks are
// left out (the part before the first such step is kept when it has a turn).
std::vector<Conversation> seeds_from_suites(const std::vector<scenario::Suite>& suites,
                                            const scenario::TargetProfile& profile,
                                            scenario::Protocol protocol,
                                            const TargetTraits& traits);

// The profile with its accounts rotated so that account `first` (modulo their number) comes
// first: seeds built from it log in as that account (${user1}, the login prefix), and its
// neighbour is ${user2}.
scenario::TargetProfile with_first_account(scenario::TargetProfile profile, std::size_t first);

// The turns that log in as the profile's first account (empty when it has none).
std::vector<Turn> login_prefix(scenario::Protocol protocol, const scenario::TargetProfile& profile,
                               const TargetTraits& traits);

}  // namespace mh::harness::fuzz
