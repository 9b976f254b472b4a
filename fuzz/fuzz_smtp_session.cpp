// The reference SMTP session machine (proto/smtp/session.hpp) driven in-process: the input is the
// client's byte stream, cut into turns at 0xFF; the fuzz loop plays the connection loop
// (TLS handshakes succeed at once, deliveries complete with a status chosen by their order).
// Invariants, checked after every event:
//  - every write is one or more complete replies that the runner's reply parser finds
//    well-formed (no diagnostics), and nothing follows a 221 (QUIT) reply;
//  - a 221 or 421 reply is followed by CloseEvent, and no event follows CloseEvent;
//  - a delivery has a completed transaction: a HELO/EHLO name, at least one recipient (each one
//    the policy accepts), a Received: field, no more recipients, messages or octets than the
//    limits allow, no bare CR / LF / NUL (the machine rejects them), and never more deliveries
//    than end-of-data sequences and BDAT LAST commands in the input (no smuggled message);
//  - put() makes progress unless a delivery is pending;
//  - without STARTTLS (which discards the rest of a read by design), the replies and deliveries
//    do not depend on where the input was cut: the input is sent again in one turn, and every
//    write of that run must be the first run's next bytes, ending where one of its replies ends.
// The reply parser sees each distinct write once per process (VerifiedWrites): its verdict
// depends on the bytes alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "fuzz/support/fuzz_input.hpp"
#include "proto/smtp/reply_parser.hpp"
#include "proto/smtp/session.hpp"
#include "proto/smtp/static_policy.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

// Built once per process: neither the config nor the (stateless) policy changes during a run.
smtp::SessionConfig make_config() {
    smtp::SessionConfig config;
    config.auth_requires_tls = false;  // AUTH is reachable without a STARTTLS turn first
    config.vrfy_enabled = true;
    config.expn_enabled = true;
    // Small limits, so that short inputs reach every limit's path.
    config.limits.max_message_size = 2048;
    config.limits.sasl_line = 1024;  // RFC 4954 4's 12288 would need inputs of 12 KiB and more
    config.limits.max_recipients = 4;
    config.limits.max_messages_per_session = 3;
    config.limits.hard_error_limit = 12;
    return config;
}

const smtp::SessionConfig& fuzz_config() {
    static const smtp::SessionConfig config = make_config();
    return config;
}

smtp::StaticPolicy& fuzz_policy() {
    static smtp::StaticPolicy policy({"example.test"}, {{"alice", "alice-pw"}, {"bob", "bob-pw"}});
    return policy;
}

// One session machine for the process, reset at the end of every run (Driver::run): no machine
// is built per input, and a run frees what the session allocated in it (helo, envelope), so
// libFuzzer does not take the input for a leak and scan for one.
smtp::Session& fuzz_session() {
    static smtp::Session session(fuzz_config(), fuzz_policy());
    return session;
}

// Upper bound of the messages the input can carry: its CRLF "." CRLF sequences and BDAT LASTs
// (any case). Searched with find (memchr), not byte loops: this runs on every input.
std::size_t message_ends_in(std::string_view input) {
    std::size_t count = 0;
    for (auto pos = input.find("\r\n.\r\n"); pos != std::string_view::npos;
         pos = input.find("\r\n.\r\n", pos + 1)) {
        ++count;
    }
    const auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
    for (const char first : {'L', 'l'}) {
        for (auto pos = input.find(first); pos != std::string_view::npos;
             pos = input.find(first, pos + 1)) {
            const auto word = input.substr(pos, 4);
            count += word.size() == 4 && upper(word[1]) == 'A' && upper(word[2]) == 'S' &&
                     upper(word[3]) == 'T';
        }
    }
    return count;
}

bool has_bare_line_end_or_nul(std::string_view message) {
    if (message.find('\0') != std::string_view::npos) {
        return true;
    }
    for (auto pos = message.find('\r'); pos != std::string_view::npos;
         pos = message.find('\r', pos + 1)) {
        if (pos + 1 == message.size() || message[pos + 1] != '\n') {
            return true;
        }
    }
    for (auto pos = message.find('\n'); pos != std::string_view::npos;
         pos = message.find('\n', pos + 1)) {
        if (pos == 0 || message[pos - 1] != '\r') {
            return true;
        }
    }
    return false;
}

// Where a reply ends in a run's output (or in one write), and its code.
struct ReplyEnd {
    std::size_t offset = 0;
    int code = 0;
    bool operator==(const ReplyEnd&) const = default;
};

// The replies of every write the runner's reply parser has checked in this process, by the
// write's bytes. The parser is idle at every write boundary (each write must end on a reply
// boundary, which is checked), so its verdict depends on the bytes alone and a write seen
// before need not be parsed again: most writes repeat ("250 2.0.0 OK"), and parsing each reply
// into a ParsedReply was the largest part of the target's own time. Only well-formed writes
// are kept (a malformed one aborts), so a finding replays alone with an empty table.
// The table lives in a fixed arena and is forgotten when full: memory stays bounded, and adding
// an entry calls no malloc (libFuzzer runs an input again and scans for leaks whenever it
// allocated more than it freed).
class VerifiedWrites {
  public:
    VerifiedWrites() { forget(); }

    // The replies `bytes` consists of, in order; aborts unless it is one or more complete,
    // well-formed replies.
    std::span<const ReplyEnd> replies_in(std::string_view bytes) {
        if (const auto known = known_->find(bytes); known != known_->end()) {
            return known->second;
        }
        parse(bytes, scratch_);
        if (bytes.size() > kept_write_size) {
            return scratch_;
        }
        // What the entry takes from the arena, generously: the node, the bytes, the replies.
        const std::size_t cost = 128 + bytes.size() + scratch_.size() * sizeof(ReplyEnd);
        if (known_->size() == kept_writes || used_ + cost > arena_.size()) {
            forget();
        }
        used_ += cost;
        return known_
            ->emplace(std::piecewise_construct, std::forward_as_tuple(bytes),
                      std::forward_as_tuple(scratch_.begin(), scratch_.end()))
            .first->second;
    }

  private:
    static constexpr std::size_t kept_write_size = 1024;
    static constexpr std::size_t kept_writes = 4096;

    void parse(std::string_view bytes, std::vector<ReplyEnd>& replies) {
        replies.clear();
        const std::size_t size = bytes.size();
        while (!bytes.empty()) {
            bytes.remove_prefix(parser_.put(bytes));
            require(parser_.has_reply(), "a WriteEvent ends inside a reply");
            parser_.take(parsed_);
            require(parsed_.diagnostics.empty(), "a reply the reply parser finds malformed");
            replies.push_back({size - bytes.size(), parsed_.reply.code});
        }
    }

    void forget() {
        known_.reset();
        memory_.release();
        known_.emplace(&memory_);
        known_->reserve(kept_writes);
        used_ = 64 * 1024;  // the bucket array
    }

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view bytes) const {
            return std::hash<std::string_view>{}(bytes);
        }
    };
    using Table = std::pmr::unordered_map<std::pmr::string, std::pmr::vector<ReplyEnd>, Hash,
                                          std::equal_to<>>;

    alignas(std::max_align_t) std::array<std::byte, 2 * 1024 * 1024> arena_;
    std::pmr::monotonic_buffer_resource memory_{arena_.data(), arena_.size()};
    std::optional<Table> known_;
    std::size_t used_ = 0;
    smtp::ReplyParser parser_;
    smtp::ParsedReply parsed_;  // storage the parser reuses
    std::vector<ReplyEnd> scratch_;
};

VerifiedWrites& verified_writes() {
    static VerifiedWrites writes;
    return writes;
}

// What one run of the session produced. Two live per process and are cleared, not freed, for
// each input: only their capacity carries over, never their content.
struct Transcript {
    std::string replies;                     // every byte the server wrote
    std::vector<ReplyEnd> reply_ends;        // where each reply ends in `replies`
    std::string delivered;                   // the delivered messages, one after the other
    std::vector<std::size_t> delivery_ends;  // where each message ends in `delivered`
    bool tls = false;

    void clear() {
        replies.clear();
        reply_ends.clear();
        delivered.clear();
        delivery_ends.clear();
        tls = false;
    }
    std::size_t deliveries() const { return delivery_ends.size(); }
    bool same_deliveries(const Transcript& other) const {
        return delivered == other.delivered && delivery_ends == other.delivery_ends;
    }
};

class Driver {
  public:
    // Without `reference`, every write is checked by the reply parser (VerifiedWrites). With it
    // (the same input sent at once), every write must be the reference run's next bytes and end
    // where one of its replies ends: then it is the same well-formed replies, and parsing them
    // again would prove nothing more.
    explicit Driver(Transcript& transcript, const Transcript* reference = nullptr)
        : transcript_(transcript), reference_(reference) {
        transcript_.clear();
    }

    void run(std::span<const std::string_view> turns) {
        session_.start();
        drain();
        for (std::string_view turn : turns) {
            feed(turn);
        }
        session_.put_eof();
        drain();
        session_.reset();
    }

  private:
    void feed(std::string_view turn) {
        while (!turn.empty()) {
            const std::size_t used = session_.put(turn);
            require(used <= turn.size(), "put() consumed more than it was given");
            turn.remove_prefix(used);
            const bool delivered = drain();
            require(used > 0 || delivered, "put() made no progress and no delivery is pending");
        }
    }

    // Hands out every pending event; returns whether one of them was a delivery.
    bool drain() {
        bool delivered = false;
        while (auto event = session_.next_event()) {
            require(!closed_, "an event after CloseEvent");
            if (auto* write = std::get_if<smtp::WriteEvent>(&*event)) {
                check_write(write->bytes);
            } else if (auto* deliver = std::get_if<smtp::DeliverEvent>(&*event)) {
                check_delivery(*deliver);
                delivered = true;
                session_.delivery_done(next_delivery_status());
            } else if (std::holds_alternative<smtp::StartTlsEvent>(*event)) {
                transcript_.tls = true;
                session_.tls_established();
            } else {
                closed_ = true;
            }
        }
        require(!must_close_ || closed_, "a 221 or 421 reply without CloseEvent");
        require(closed_ == session_.closed(), "closed() disagrees with the events");
        return delivered;
    }

    void check_write(std::string_view bytes) {
        require(!bytes.empty(), "an empty WriteEvent");
        const std::size_t start = transcript_.replies.size();
        transcript_.replies += bytes;
        if (reference_ != nullptr) {
            check_same_write(start, bytes);
            return;
        }
        for (const ReplyEnd& reply : verified_writes().replies_in(bytes)) {
            transcript_.reply_ends.push_back({start + reply.offset, reply.code});
            check_reply(reply.code);
        }
    }

    void check_same_write(std::size_t start, std::string_view bytes) {
        const std::string_view expected = reference_->replies;
        require(expected.substr(start, bytes.size()) == bytes,
                "the replies depend on where turns are cut");
        const std::size_t end = start + bytes.size();
        const auto& ends = reference_->reply_ends;
        while (next_reply_ < ends.size() && ends[next_reply_].offset <= end) {
            check_reply(ends[next_reply_++].code);
        }
        require(next_reply_ > 0 && ends[next_reply_ - 1].offset == end,
                "a WriteEvent ends inside a reply");
    }

    void check_reply(int code) {
        require(!after_quit_, "a reply after the 221 reply to QUIT");
        after_quit_ = code == 221;
        must_close_ = must_close_ || after_quit_ || code == 421;
    }

    void check_delivery(const smtp::DeliverEvent& deliver) {
        const smtp::Envelope& envelope = deliver.envelope;
        require(!envelope.helo.empty(), "a delivery before HELO/EHLO");
        require(!envelope.recipients.empty(), "a delivery without recipients");
        require(envelope.recipients.size() <= config_.limits.max_recipients,
                "a delivery with more recipients than the limit");
        require(envelope.verdicts.size() == envelope.recipients.size(),
                "recipients and verdicts differ in number");
        const bool authenticated = !envelope.authenticated_as.empty();
        for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
            const auto verdict = policy_.verify_recipient(envelope.recipients[i], authenticated);
            require(verdict == envelope.verdicts[i], "a recipient's verdict is not the policy's");
            require(verdict == smtp::RecipientVerdict::local ||
                        verdict == smtp::RecipientVerdict::relay,
                    "a delivery to a recipient the policy refuses");
        }
        require(deliver.message.starts_with("Received: "), "a delivery without Received:");
        require(deliver.message.size() <= config_.limits.max_message_size + 512,
                "a delivered message over the size limit");
        require(!has_bare_line_end_or_nul(deliver.message),
                "a delivered message with bare CR, bare LF or NUL under the reject policy");
        transcript_.delivered += deliver.message;
        transcript_.delivery_ends.push_back(transcript_.delivered.size());
    }

    smtp::DeliveryStatus next_delivery_status() {
        constexpr smtp::DeliveryStatus order[] = {
            smtp::DeliveryStatus::stored, smtp::DeliveryStatus::temporary_failure,
            smtp::DeliveryStatus::stored, smtp::DeliveryStatus::insufficient_storage,
            smtp::DeliveryStatus::permanent_failure};
        const auto status = order[transcript_.deliveries() % std::size(order)];
        stored_ += status == smtp::DeliveryStatus::stored ? 1U : 0U;
        require(stored_ <= config_.limits.max_messages_per_session,
                "more messages stored than the per-session limit");
        return status;
    }

    const smtp::SessionConfig& config_ = fuzz_config();
    smtp::StaticPolicy& policy_ = fuzz_policy();
    smtp::Session& session_ = fuzz_session();
    Transcript& transcript_;
    const Transcript* reference_;
    std::size_t next_reply_ = 0;  // the reference's next reply (with a reference)
    std::size_t stored_ = 0;
    bool closed_ = false;
    bool after_quit_ = false;
    bool must_close_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Reused for every input: only their capacity outlives one.
    static Transcript turnwise;
    static Transcript at_once;
    static std::vector<std::string_view> turns;
    static std::string whole;
    mh::fuzz::split_turns(mh::fuzz::as_text(data, size), turns);
    Driver(turnwise).run(turns);
    mh::fuzz::joined(turns, whole);
    require(turnwise.deliveries() <= message_ends_in(whole),
            "more deliveries than end-of-data sequences and BDAT LASTs in the input");
    if (turns.size() > 1 && !turnwise.tls) {
        const std::string_view all = whole;
        Driver(at_once, &turnwise).run({&all, 1});
        require(at_once.replies.size() == turnwise.replies.size(),
                "the replies depend on where turns are cut");
        require(at_once.same_deliveries(turnwise), "the deliveries depend on where turns are cut");
    }
    return 0;
}
