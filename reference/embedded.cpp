#include "reference/embedded.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "reference/server/server.hpp"

namespace mh::reference {
namespace {

class EmbeddedReference : public EmbeddedServer {
  public:
    explicit EmbeddedReference(Config config) : server_(std::move(config)) {
        for (const BoundListener& listener : server_.listeners()) {
            std::uint16_t* port = nullptr;
            switch (listener.service) {
                case Service::smtp:
                    port = &endpoints_.smtp;
                    break;
                case Service::submission:
                    port = &endpoints_.submission;
                    break;
                case Service::smtps:
                    port = &endpoints_.smtps;
                    break;
                case Service::pop3:
                    port = &endpoints_.pop3;
                    break;
                case Service::pop3s:
                    port = &endpoints_.pop3s;
                    break;
            }
            *port = listener.endpoint.port;
        }
        server_.start();
    }

    const EmbeddedEndpoints& endpoints() const override { return endpoints_; }
    void stop() override { server_.stop(std::chrono::milliseconds(0)); }

  private:
    Server server_;
    EmbeddedEndpoints endpoints_;
};

}  // namespace

std::unique_ptr<EmbeddedServer> EmbeddedServer::start(const std::filesystem::path& maildir_root,
                                                      EmbeddedOptions options) {
    Config config = embedded_profile();
    config.maildir = maildir_root;
    config.quiet = true;
    config.durable = options.store != Durability::discard;
    config.fsync = options.store == Durability::durable;
    const Endpoint ephemeral{"127.0.0.1", 0};
    config.listeners.smtp = {ephemeral};
    config.listeners.submission = {ephemeral};
    config.listeners.smtps = {ephemeral};
    config.listeners.pop3 = {ephemeral};
    config.listeners.pop3s = {ephemeral};
    // Two workers by default: the runner's cases are mostly sequential, and the cores belong to
    // the client.
    config.threads = options.threads;
    for (unsigned i = 1; i <= options.load_accounts; ++i) {
        config.accounts.push_back(embedded_profile_account("load" + std::to_string(i)));
    }
    auto& limits = config.server_limits;
    limits.connections = std::max<std::size_t>(limits.connections, 2 * options.clients);
    limits.connections_per_address =
        std::max<std::size_t>(limits.connections_per_address, 2 * options.clients);
    return std::make_unique<EmbeddedReference>(std::move(config));
}

}  // namespace mh::reference
