#pragma once
// The relay's SMTP client (RFC 5321 as client MTA) on Asio coroutines: one attempt to hand one
// queued message to the next hop. EHLO (HELO when EHLO is refused), STARTTLS when offered
// (RFC 3207; the relay's TLS policy decides whether its absence is fatal), PIPELINING
// (RFC 2920: MAIL, every RCPT and DATA in one write), SIZE (RFC 1870), BODY=8BITMIME
// (RFC 6152), dot-stuffed DATA (RFC 5321 4.5.2). Every recipient gets its own outcome.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/config/relay_config.hpp"

namespace mh::reference {

enum class RecipientOutcome {
    delivered,  // the next hop answered 250 to the end of data
    temporary,  // 4xx, no connection, timeout, lost connection: retry later
    permanent,  // 5xx: bounce
};

struct RecipientResult {
    std::string recipient;
    RecipientOutcome outcome = RecipientOutcome::temporary;
    std::string status;  // RFC 3463 code: the reply's own, or 4.0.0 / 5.0.0, or 4.4.x
    std::string reply;   // the next hop's reply as received ("550 5.1.1 no such user"), if any
    std::string reason;  // the step ("RCPT TO") or what went wrong without a reply
};

struct DeliveryAttempt {
    std::string remote_mta;  // the host connected to; empty when no connection was made
    std::string tls;         // "TLSv1.3 TLS_AES_256_GCM_SHA384", or empty in clear text
    std::vector<RecipientResult> recipients;  // in the order given
};

struct DeliverySettings {
    std::string helo_name;  // the server's hostname
    RelayTls tls;
    RelayTimeouts timeouts;
};

// Called with the outcomes as soon as the next hop's reply to the end of data is read, before
// QUIT: the caller records the deliveries then, so a crash after that reply does not resend
// them. Nothing is awaited between writing the final dot and reading that reply.
using DataEndHandler = std::function<void(const DeliveryAttempt&)>;

// Never throws for network or protocol trouble: that is a temporary outcome per recipient.
// `tls` is a client context (trust anchors set when settings.tls.verify).
boost::asio::awaitable<DeliveryAttempt> deliver_to_next_hop(
    const NextHop& hop, std::string_view mail_from, const std::vector<std::string>& recipients,
    std::string_view message, const DeliverySettings& settings, boost::asio::ssl::context& tls,
    DataEndHandler on_data_end);

}  // namespace mh::reference
