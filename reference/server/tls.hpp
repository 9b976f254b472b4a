#pragma once
// The server's TLS context: TLS 1.2 and later only, forward-secret AEAD ciphers, the configured
// certificate and key, or a self-signed ECDSA P-256 pair generated in memory for `hostname`.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <string>

namespace mh::reference {

// Throws std::runtime_error naming the file or the OpenSSL failure.
boost::asio::ssl::context make_server_tls_context(const std::filesystem::path& cert,
                                                  const std::filesystem::path& key,
                                                  const std::string& hostname);

}  // namespace mh::reference
