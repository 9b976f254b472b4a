// The relay section of the configuration, the route table and the DSN text.
#include <gtest/gtest.h>

#include "reference/config/config.hpp"
#include "reference/relay/dsn.hpp"
#include "reference/relay/route_table.hpp"

namespace mh::reference {
namespace {

using namespace std::chrono_literals;

std::string error_of(const std::string& yaml) {
    try {
        parse_config(yaml, "relay.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(RelayConfig, FullSectionIsRead) {
    const Config config = parse_config(R"(
relay:
  routes:
    - {domain: Remote.TEST, next_hop: "127.0.0.1:2526"}
    - {domain: .corp.test, next_hop: "mx.corp.test:25"}
    - {domain: v6.test, next_hop: "[::1]:25"}
  smarthost: 10.0.0.1:587
  tls: {policy: required, verify: true, ca: /etc/ca.pem}
  retry: {first: 5, factor: 3, max_interval: 100, max_age: 3600}
  timeouts: {connect: 2, command: 3, data_end: 4}
  concurrency: 8
  scan_interval_ms: 250
)",
                                       "relay.yaml");
    const RelayConfig& relay = config.relay;
    ASSERT_EQ(relay.routes.size(), 3U);
    EXPECT_EQ(relay.routes[0].domain, "remote.test");
    EXPECT_EQ(relay.routes[0].next_hop, (NextHop{"127.0.0.1", 2526}));
    EXPECT_EQ(relay.routes[1].next_hop, (NextHop{"mx.corp.test", 25}));
    EXPECT_EQ(relay.routes[2].next_hop.to_string(), "[::1]:25");
    EXPECT_EQ(relay.smarthost, (NextHop{"10.0.0.1", 587}));
    EXPECT_EQ(relay.tls.policy, RelayTlsPolicy::required);
    EXPECT_TRUE(relay.tls.verify);
    EXPECT_EQ(relay.tls.ca_file, "/etc/ca.pem");
    EXPECT_EQ(relay.retry.first, 5s);
    EXPECT_EQ(relay.retry.max_age, 3600s);
    EXPECT_EQ(relay.timeouts.data_end, 4s);
    EXPECT_EQ(relay.concurrency, 8U);
    EXPECT_EQ(relay.scan_interval, 250ms);
    EXPECT_TRUE(relay.enabled());
    EXPECT_FALSE(parse_config("hostname: x\n", "x.yaml").relay.enabled());
}

TEST(RelayConfig, ErrorsNameTheirPosition) {
    EXPECT_EQ(error_of("relay:\n  routes:\n    - {domain: remote.test, next_hop: 127.0.0.1}\n"),
              "relay.yaml:3:39: route next_hop '127.0.0.1' has no port (write HOST:PORT, e.g. "
              "127.0.0.1:25 or mx.remote.test:25)");
    EXPECT_EQ(error_of("relay:\n  tls: {policy: sometimes}\n"),
              "relay.yaml:2:17: relay.tls.policy must be 'opportunistic' or 'required'");
    EXPECT_EQ(error_of("relay:\n  retry: {first: 0}\n"),
              "relay.yaml:2:18: relay.retry.first (seconds) must be a whole number from 1 to "
              "86400");
    EXPECT_EQ(error_of("relay:\n  routes:\n    - {domain: remote.test}\n"),
              "relay.yaml:3:7: a route needs 'domain' and 'next_hop' (e.g. {domain: remote.test, "
              "next_hop: 127.0.0.1:2526})");
    EXPECT_EQ(error_of("relay:\n  routes:\n    - {domain: 'no domain', next_hop: a:1}\n"),
              "relay.yaml:3:16: route domain 'no domain' is not a domain name (e.g. remote.test, "
              "or .remote.test for its subdomains too)");
    EXPECT_EQ(error_of("relay:\n  smarthost: 'mx.test:0'\n"),
              "relay.yaml:2:14: relay.smarthost 'mx.test:0' is not HOST:PORT (a host name or IP "
              "address, a port from 1 to 65535)");
    EXPECT_EQ(error_of("relay:\n  smarthost: 127.0.0.1:0\n"),
              "relay.yaml:2:14: relay.smarthost '127.0.0.1:0' needs a port from 1 to 65535");
    EXPECT_EQ(error_of("relay:\n  routs: []\n"),
              "relay.yaml:2:3: unknown key 'routs' in relay (known: routes, smarthost, tls, "
              "retry, timeouts, concurrency, scan_interval_ms)");
    EXPECT_EQ(error_of("relay:\n  retry: {first: 60, max_interval: 10}\n"),
              "relay.yaml:2:10: relay.retry.max_interval must not be shorter than "
              "relay.retry.first");
}

TEST(RetrySchedule, GrowsByTheFactorUpToTheMaximum) {
    RetrySchedule retry;
    retry.first = 60s;
    retry.factor = 2;
    retry.max_interval = 300s;
    EXPECT_EQ(retry.delay_after(1), 60s);
    EXPECT_EQ(retry.delay_after(2), 120s);
    EXPECT_EQ(retry.delay_after(3), 240s);
    EXPECT_EQ(retry.delay_after(4), 300s);
    EXPECT_EQ(retry.delay_after(1000), 300s);
}

TEST(RouteTable, ExactDomainThenLongestParentThenSmarthost) {
    const RouteTable table({{"remote.test", {"10.0.0.1", 25}},
                            {".test", {"10.0.0.2", 25}},
                            {".corp.test", {"10.0.0.3", 25}}},
                           NextHop{"10.0.0.9", 587});
    EXPECT_EQ(table.next_hop("REMOTE.test"), (NextHop{"10.0.0.1", 25}));
    EXPECT_EQ(table.next_hop("corp.test"), (NextHop{"10.0.0.3", 25}));
    EXPECT_EQ(table.next_hop("mx.corp.test"), (NextHop{"10.0.0.3", 25}));
    EXPECT_EQ(table.next_hop("other.test"), (NextHop{"10.0.0.2", 25}));
    EXPECT_EQ(table.next_hop("example.org"), (NextHop{"10.0.0.9", 587}));
    EXPECT_EQ(RouteTable({}, std::nullopt).next_hop("example.org"), std::nullopt);
}

TEST(Dsn, MultipartReportWithPerRecipientFields) {
    const auto when = std::chrono::system_clock::from_time_t(1'700'000'000);
    const std::string original = "Subject: hi\r\nFrom: <a@origin.test>\r\n\r\nbody\r\n";
    BounceReport report{"mx.origin.test", "a@origin.test", "Q1", when, when, {}, original};
    report.failed.push_back(
        {"b@remote.test", "5.1.1", "550 5.1.1 unknown\r\nuser", "RCPT TO", "mx.remote.test"});
    report.failed.push_back(
        {"c@far.test", "4.4.1", "", "connect to 10.0.0.1:25: Connection refused", ""});
    const std::string dsn = build_dsn(report, "U1");
    const std::string expected_status =
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.origin.test\r\n"
        "X-Queue-ID: Q1\r\n"
        "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
        "\r\n"
        "Final-Recipient: rfc822; b@remote.test\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Remote-MTA: dns; mx.remote.test\r\n"
        "SMTP-Remote-Recipient: b@remote.test\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 unknown  user\r\n"
        "Last-Attempt-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
        "\r\n"
        "Final-Recipient: rfc822; c@far.test\r\n"
        "Action: failed\r\n"
        "Status: 4.4.1\r\n"
        "Diagnostic-Code: X-mailharness; connect to 10.0.0.1:25: Connection refused\r\n"
        "Last-Attempt-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
        "\r\n"
        "--=_mh_dsn_U1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "Subject: hi\r\nFrom: <a@origin.test>\r\n"
        "\r\n--=_mh_dsn_U1--\r\n";
    EXPECT_TRUE(dsn.ends_with(expected_status)) << dsn;
    EXPECT_TRUE(
        dsn.starts_with("From: Mail Delivery System <MAILER-DAEMON@mx.origin.test>\r\n"
                        "To: <a@origin.test>\r\n"))
        << dsn;
    EXPECT_NE(dsn.find("Content-Type: multipart/report; report-type=delivery-status;\r\n"
                       "\tboundary=\"=_mh_dsn_U1\"\r\n"),
              std::string::npos);
    EXPECT_EQ(dsn.find("body"), std::string::npos);
}

}  // namespace
}  // namespace mh::reference
