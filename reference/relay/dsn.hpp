#pragma once
// Delivery status notifications for failed relay deliveries (RFC 3461 6): a multipart/report
// with report-type=delivery-status - a human-readable part, the message/delivery-status
// fields (RFC 3461 6.3) and the returned message's header section (text/rfc822-headers; the
// body is not returned, which 6.2 allows when no RET=FULL was asked for). It is sent with the
// null reverse-path (RFC 3461 6.1, RFC 5321 4.5.5) so that it is never bounced itself.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mh::reference {

struct FailedRecipient {
    std::string recipient;
    std::string status;      // RFC 3463, 4.x.x for an expired temporary failure
    std::string reply;       // the next hop's reply, empty when there was none
    std::string reason;      // what went wrong in words
    std::string remote_mta;  // the host that replied; empty when no connection was made
};

struct BounceReport {
    std::string reporting_mta;  // this server's hostname
    std::string sender;         // the original reverse-path: the DSN's recipient
    std::string queue_id;
    std::chrono::system_clock::time_point arrival;
    std::chrono::system_clock::time_point last_attempt;
    std::vector<FailedRecipient> failed;
    std::string_view original;  // the returned message (only its header section is used)
};

// The DSN message, CRLF line ends. `unique` makes the boundary and Message-ID unique.
std::string build_dsn(const BounceReport& report, std::string_view unique);

// RFC 5322 3.3 date-time in UTC: "Thu, 26 Nov 2026 17:04:32 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace mh::reference
