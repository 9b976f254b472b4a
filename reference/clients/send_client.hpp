#pragma once
// `mailharness send`: a submission client (RFC 6409) on Boost.Asio. EHLO, STARTTLS (RFC 3207)
// or implicit TLS (RFC 8314), AUTH PLAIN / LOGIN (RFC 4954), SIZE (RFC 1870), PIPELINING
// (RFC 2920) and 8BITMIME (RFC 6152) when the server advertises them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/clients/detail/connection.hpp"

namespace mh::reference::clients {

enum class SmtpTls { none, starttls, implicit };
enum class SmtpAuthMechanism { automatic, plain, login };

struct SmtpCredentials {
    std::string user;
    std::string password;
    SmtpAuthMechanism mechanism = SmtpAuthMechanism::automatic;  // PLAIN when offered, else LOGIN
};

struct SendOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 587;
    SmtpTls tls = SmtpTls::starttls;
    detail::TlsSettings tls_settings;
    std::optional<SmtpCredentials> auth;
    std::string helo_name = "localhost";
    std::string from;                     // envelope reverse-path, "" for <>
    std::vector<std::string> recipients;  // at least one
    std::string message;                  // the whole message; LF line ends become CRLF
    std::chrono::milliseconds timeout{30'000};
};

struct SendResult {
    std::string final_reply;  // the server's answer to the end of data ("250 2.0.0 queued ...")
    bool pipelined = false;   // MAIL, RCPT and DATA went in one write
    std::vector<std::string> transcript;  // C:/S: lines without message content
};

// Throws ClientError with the exit code and the server's reply quoted.
SendResult send_message(const SendOptions& options);

// A minimal RFC 5322 message: From, To, Subject, Date, Message-ID, MIME-Version, body.
std::string compose_message(const std::string& from, const std::vector<std::string>& to,
                            const std::string& subject, const std::string& body);

}  // namespace mh::reference::clients
