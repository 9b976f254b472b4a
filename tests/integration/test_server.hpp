#pragma once
// The reference Server on 127.0.0.1 ephemeral ports with the embedded profile and a private
// maildir, for tests that need its limits and internals; `tweak` adjusts the Config first.

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "reference/config/config.hpp"
#include "reference/server/server.hpp"
#include "tests/reference/temp_dir.hpp"

namespace mh::integration {

class TestServer {
  public:
    explicit TestServer(const std::function<void(reference::Config&)>& tweak = {}) {
        reference::Config config = reference::embedded_profile();
        const reference::Endpoint ephemeral{"127.0.0.1", 0};
        config.listeners.smtp = {ephemeral};
        config.listeners.smtps = {ephemeral};
        config.listeners.pop3 = {ephemeral};
        config.listeners.pop3s = {ephemeral};
        config.maildir = dir_.path() / "mail";
        config.quiet = std::getenv("MH_TEST_SERVER_LOG") == nullptr;  // set it to see the log
        config.threads = 2;
        if (tweak) {
            tweak(config);
        }
        server_ = std::make_unique<reference::Server>(std::move(config));
        server_->start();
    }

    std::uint16_t port(reference::Service service) const {
        for (const auto& listener : server_->listeners()) {
            if (listener.service == service) {
                return listener.endpoint.port;
            }
        }
        throw std::runtime_error("no such listener");
    }
    reference::Server& server() { return *server_; }
    std::filesystem::path maildir() const { return dir_.path() / "mail"; }
    std::filesystem::path new_dir(const std::string& account) const {
        return maildir() / account / "Maildir" / "new";
    }

  private:
    reference::testing::TempDir dir_;
    std::unique_ptr<reference::Server> server_;
};

}  // namespace mh::integration
