#include "reference/relay/dsn.hpp"

#include <ctime>

namespace mh::reference {
namespace {

// The returned header section is capped so a bounce stays small whatever was sent.
constexpr std::size_t max_returned_headers = 64 * 1024;

std::string_view header_section(std::string_view message) {
    const auto end = message.find("\r\n\r\n");
    std::string_view headers = end == std::string_view::npos ? message : message.substr(0, end + 2);
    if (headers.size() > max_returned_headers) {
        headers = headers.substr(0, headers.rfind("\r\n", max_returned_headers) + 2);
    }
    return headers;
}

// A header field value must stay on its line: CR and LF from a peer's reply become spaces.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
    }
    return out;
}

}  // namespace

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    // The C locale's %a and %b are the English names RFC 5322 requires.
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

std::string build_dsn(const BounceReport& report, std::string_view unique) {
    const std::string boundary = "=_mh_dsn_" + std::string(unique);
    const std::string& host = report.reporting_mta;
    std::string out;
    out += "From: Mail Delivery System <MAILER-DAEMON@" + host + ">\r\n";
    out += "To: <" + report.sender + ">\r\n";
    out += "Subject: Undelivered Mail Returned to Sender\r\n";
    out += "Date: " + rfc5322_date(report.last_attempt) + "\r\n";
    out += "Message-ID: <" + std::string(unique) + ".dsn@" + host + ">\r\n";
    out += "Auto-Submitted: auto-replied\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/report; report-type=delivery-status;\r\n";
    out += "\tboundary=\"" + boundary + "\"\r\n\r\n";
    out += "This is a MIME-encapsulated message.\r\n\r\n";

    // 1. For people.
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
    out += "This is the mail system at " + host + ".\r\n\r\n";
    out += "Your message (queue id " + report.queue_id +
           ") could not be delivered to the recipients below.\r\n\r\n";
    for (const auto& failed : report.failed) {
        out += "<" + failed.recipient + ">: " + one_line(failed.reason);
        if (!failed.reply.empty()) {
            out += "\r\n    " + failed.remote_mta + " said: " + one_line(failed.reply);
        }
        out += "\r\n\r\n";
    }

    // 2. For programs: per-message fields, then one group per recipient (RFC 3461 6.3).
    out += "--" + boundary + "\r\n";
    out += "Content-Type: message/delivery-status\r\n\r\n";
    out += "Reporting-MTA: dns; " + host + "\r\n";
    out += "X-Queue-ID: " + report.queue_id + "\r\n";
    out += "Arrival-Date: " + rfc5322_date(report.arrival) + "\r\n";
    for (const auto& failed : report.failed) {
        out += "\r\n";
        out += "Final-Recipient: rfc822; " + failed.recipient + "\r\n";
        out += "Action: failed\r\n";
        out += "Status: " + failed.status + "\r\n";
        if (!failed.remote_mta.empty()) {
            out += "Remote-MTA: dns; " + failed.remote_mta + "\r\n";
            out += "SMTP-Remote-Recipient: " + failed.recipient + "\r\n";
        }
        out += "Diagnostic-Code: " +
               (failed.reply.empty() ? "X-mailharness; " + one_line(failed.reason)
                                     : "smtp; " + one_line(failed.reply)) +
               "\r\n";
        out += "Last-Attempt-Date: " + rfc5322_date(report.last_attempt) + "\r\n";
    }
    out += "\r\n";

    // 3. The returned message's header section.
    out += "--" + boundary + "\r\n";
    out += "Content-Type: text/rfc822-headers\r\n\r\n";
    out += header_section(report.original);
    out += "\r\n--" + boundary + "--\r\n";
    return out;
}

}  // namespace mh::reference
