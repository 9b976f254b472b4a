#pragma once
// Failures of the send and fetch clients, each with the exit code `mailharness send|fetch`
// returns (docs/clients.md lists them). Messages quote the server's reply when there is one.

#include <stdexcept>
#include <string>

namespace mh::reference::clients {

enum class ExitCode {
    ok = 0,
    refused = 1,      // the server answered with an error (bad login, rejected recipient, ...)
    usage = 2,        // bad options or an unreadable message file
    unreachable = 3,  // no connection, TLS handshake failure or timeout
    protocol = 4,     // the server broke the protocol (malformed reply, unexpected close)
    local = 5,        // the local Maildir or state file could not be written
};

class ClientError : public std::runtime_error {
  public:
    ClientError(ExitCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

}  // namespace mh::reference::clients
