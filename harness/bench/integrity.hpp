#pragma once
// End-to-end integrity of an SMTP bench run (--verify): every message carried
//   X-Mailharness-Bench: RUN-ID SEQUENCE sha256=DIGEST-OF-BODY
// and afterwards the mailbox (a maildir folder, or a POP3 account) is read back: each accepted
// sequence must be there exactly once with a body matching its digest. Messages of other runs
// are ignored.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "harness/bench/smtp_load.hpp"

namespace mh::harness::bench {

struct IntegrityReport {
    std::uint64_t accepted = 0;    // the server said 250 to the content
    std::uint64_t delivered = 0;   // found, complete and intact (each counted once)
    std::uint64_t missing = 0;     // accepted but not found
    std::uint64_t duplicates = 0;  // found more than once (extra copies)
    std::uint64_t corrupt = 0;     // found, but the body does not match its digest
    std::uint64_t unexpected = 0;  // this run's tag on a sequence the server never accepted
    std::vector<std::uint64_t> missing_examples;  // at most 10

    bool ok() const { return missing == 0 && duplicates == 0 && corrupt == 0 && unexpected == 0; }
    nlohmann::json to_json() const;
    std::string summary() const;  // "1000 accepted, 999 delivered, 1 missing (e.g. #17)..."
};

// Tallies messages read back against the accepted sequence numbers.
class IntegrityCheck {
  public:
    IntegrityCheck(std::string run_id, std::vector<std::uint64_t> accepted_sorted);
    // One stored message (headers and body, CRLF or LF line ends).
    void message(std::string_view text);
    IntegrityReport finish();

  private:
    std::string run_id_;
    std::vector<std::uint64_t> accepted_;
    std::vector<std::uint32_t> seen_;  // per accepted sequence
    IntegrityReport report_;
};

// Reads every file in DIR/new and DIR/cur (DIR: a Maildir, or its parent holding "Maildir").
IntegrityReport verify_maildir(const std::filesystem::path& dir, IntegrityCheck check);
// Logs in (USER/PASS, after STLS when CAPA offers it), RETRs every message, QUITs without
// deleting. Throws BenchFailure.
IntegrityReport verify_pop3(const boost::asio::ip::tcp::endpoint& endpoint,
                            const Credentials& account, IntegrityCheck check);

}  // namespace mh::harness::bench
