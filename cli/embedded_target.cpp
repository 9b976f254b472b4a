#include "cli/embedded_target.hpp"

#include <random>
#include <string>
#include <system_error>

namespace mh::cli {

namespace {

std::filesystem::path make_temp_maildir() {
    std::random_device random;
    const auto path =
        std::filesystem::temp_directory_path() / ("mailharness-run-" + std::to_string(random()));
    std::filesystem::create_directories(path);
    return path;
}

}  // namespace

EmbeddedTarget::EmbeddedTarget() : maildir_(make_temp_maildir()) {
    try {
        // The Maildir goes at exit: fsyncs would only make every delivery wait for the disk.
        server_ =
            reference::EmbeddedServer::start(maildir_, {.store = reference::Durability::unsynced});
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(maildir_, ignored);
        throw;
    }
}

EmbeddedTarget::~EmbeddedTarget() {
    server_->stop();
    std::error_code ignored;
    std::filesystem::remove_all(maildir_, ignored);
}

harness::scenario::TargetProfile EmbeddedTarget::profile() const {
    const auto& ports = server_->endpoints();
    return harness::scenario::embedded_default_profile(ports.host, ports.smtp, ports.pop3);
}

}  // namespace mh::cli
