#pragma once
// The reference SMTP/POP3 server: listeners from a Config, one coroutine per connection on a
// small io_context thread pool, shared stores and policy. Used by `mailharness serve` and by
// EmbeddedServer.

#include <chrono>
#include <memory>
#include <vector>

#include "reference/config/config.hpp"

namespace mh::reference {

enum class Service { smtp, submission, smtps, pop3, pop3s };
const char* to_string(Service service);

struct BoundListener {
    Service service;
    Endpoint endpoint;  // the bound address: an ephemeral port 0 is resolved here
};

class Server {
  public:
    // Prepares the stores and TLS and binds every listener of `config`; nothing is accepted
    // until start(). Throws std::runtime_error ("cannot listen on smtp 127.0.0.1:25: ...").
    explicit Server(Config config);
    ~Server();  // stop(0s)
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Starts the worker threads (config.threads, or one per core).
    void start();
    // Stops accepting, lets open sessions finish for up to `grace`, then stops the rest,
    // joins the workers and completes pending commits. Idempotent.
    void stop(std::chrono::milliseconds grace);

    const std::vector<BoundListener>& listeners() const;
    const Config& config() const;
    // Sessions open right now.
    std::size_t active_sessions() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mh::reference
