#include "cli/embedded_target.hpp"

#include <random>
#include <string>
#include <system_error>

namespace mh::cli {

namespace {

std::filesystem::path make_temp_maildir(std::string_view purpose) {
    std::random_device random;
    const auto path = std::filesystem::temp_directory_path() /
                      ("mailharness-" + std::string(purpose) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path);
    return path;
}

}  // namespace

EmbeddedTarget::EmbeddedTarget(std::string_view purpose, reference::EmbeddedOptions options)
    : maildir_(make_temp_maildir(purpose)) {
    try {
        server_ = reference::EmbeddedServer::start(maildir_, options);
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
