#pragma once
// `mailharness fetch`: a POP3 client (RFC 1939) on Boost.Asio that downloads into a local
// Maildir. STLS (RFC 2595) or implicit TLS (RFC 8314); USER/PASS, APOP or AUTH PLAIN (RFC 5034).
// Delete mode: each message is written and fsynced, then DELE'd; QUIT commits the deletions.
// Keep mode: mail stays on the server and a UIDL state file in the Maildir remembers what was
// downloaded, so the next fetch takes only new messages.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "reference/clients/detail/connection.hpp"

namespace mh::reference::clients {

enum class Pop3Tls { none, stls, implicit };
enum class Pop3Login { user, apop, plain };

struct FetchOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 110;
    Pop3Tls tls = Pop3Tls::stls;
    detail::TlsSettings tls_settings;
    Pop3Login login = Pop3Login::user;
    std::string user;
    std::string password;
    bool delete_after = false;             // delete mode; keep mode when false
    std::filesystem::path maildir;         // created (tmp/new/cur) when missing
    std::size_t max_message = 256u << 20;  // larger messages fail the fetch (bounded memory)
    std::chrono::milliseconds timeout{30'000};
};

struct FetchResult {
    std::size_t on_server = 0;                 // messages in the maildrop
    std::size_t downloaded = 0;                // written to the local Maildir
    std::size_t skipped = 0;                   // keep mode: already downloaded before
    std::size_t deleted = 0;                   // delete mode: removed from the server at QUIT
    std::vector<std::filesystem::path> files;  // the new files, in new/
};

// Throws ClientError with the exit code and the server's response quoted.
FetchResult fetch_messages(const FetchOptions& options);

// The keep-mode state file inside the Maildir.
inline constexpr const char* uidl_state_file = ".mailharness-uidl";

}  // namespace mh::reference::clients
