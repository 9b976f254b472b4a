#pragma once
// Runs one conversation against the server under test, turn by turn, next to the reference
// model, and judges it with the oracles:
//   crash      the server closed or reset the connection unexpectedly and a liveness probe
//              (a new connection and its greeting) then fails;
//   hang       no reply within the timeout while a well-formed command is pending;
//   grammar    a reply the protocol core's lenient parser has diagnostics for (or too long);
//   desync     a reply or close that contradicts the conversation (more replies than commands,
//              an answer after the 221, silence after a malformed line the model answers);
//   acceptance (SMTP) the server acknowledged more messages than the bytes hold end-of-data
//              sequences for the reference model: one message read as two (smuggling).

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/fuzz/conversation.hpp"
#include "harness/fuzz/reference_model.hpp"
#include "harness/fuzz/seeds.hpp"
#include "harness/scenario/target.hpp"
#include "harness/transport/connection.hpp"

namespace mh::harness::fuzz {

enum class Oracle { crash, hang, grammar, desync, acceptance };
const char* to_string(Oracle oracle);

struct Verdict {
    Oracle oracle = Oracle::crash;
    std::string state;   // the verb of the command being answered ("MAIL"), "greeting", "end"
    std::string detail;  // what happened, for people
};

struct TargetSettings {
    scenario::Protocol protocol = scenario::Protocol::smtp;
    scenario::Endpoint endpoint;
    transport::TlsSettings tls;
    scenario::Duration timeout{2000};  // per reply; longer silence is a hang
    scenario::TargetProfile profile;   // domain and accounts, for the model
    TargetTraits traits;
};

struct Execution {
    bool target_down = false;  // no connection at all: nothing can be judged
    // A login the model accepts got -ERR [IN-USE] (POP3): played again while the lock may
    // still be the account's last session's.
    bool maildrop_in_use = false;
    std::optional<Verdict> verdict;
    // Per turn, the replies the model predicted (the first entry: the greeting), for the
    // reproducer's expectations; a turn after which the model closed is the last one.
    std::vector<std::vector<PredictedReply>> predicted;
    std::set<std::size_t> tls_after;  // entries of `predicted` after which TLS was started
    bool model_closed = false;
    std::set<std::string> states;  // "VERB>code" pairs seen, the fuzzer's feedback
};

// Plays the conversation on a private io_context (blocking). A POP3 login that meets a
// maildrop lock (-ERR [IN-USE] where the model logs in) is played again, every 2 ms for up to
// the timeout: the account's last session may not have ended on the server yet.
Execution execute(const Conversation& conversation, const TargetSettings& target);
// The same on the calling coroutine's io_context, so that one thread keeps several
// conversations in flight. `conversation` and `target` must outlive it.
boost::asio::awaitable<Execution> execute_async(const Conversation& conversation,
                                                const TargetSettings& target);

// A new connection gets its greeting within the timeout.
bool target_alive(const TargetSettings& target);
boost::asio::awaitable<bool> target_alive_async(const TargetSettings& target);

// What the target offers before TLS, from its EHLO (SMTP) or CAPA (POP3); nullopt when it
// cannot be reached.
std::optional<TargetTraits> probe_traits(const TargetSettings& target);

// The first word of the last line of `bytes`, upper-cased and at most 12 letters ("MAIL").
std::string verb_of(std::string_view bytes);

}  // namespace mh::harness::fuzz
