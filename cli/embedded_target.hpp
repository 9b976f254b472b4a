#pragma once
// The embedded reference as a command's target: the reference server on free loopback ports,
// with a throwaway store folder that is removed again when the object goes. The store mode is
// the command's (reference::EmbeddedOptions says which suits what).

#include <filesystem>
#include <memory>
#include <string_view>

#include "harness/scenario/target.hpp"
#include "reference/embedded.hpp"

namespace mh::cli {

class EmbeddedTarget {
  public:
    // The store goes in <temp>/mailharness-<purpose>-<random>. Throws std::runtime_error (or
    // std::filesystem::filesystem_error) with the reason when the server cannot start.
    EmbeddedTarget(std::string_view purpose, reference::EmbeddedOptions options);
    ~EmbeddedTarget();
    EmbeddedTarget(const EmbeddedTarget&) = delete;
    EmbeddedTarget& operator=(const EmbeddedTarget&) = delete;

    // The fixed default profile (docs/scenario-format.md) with this server's ports.
    harness::scenario::TargetProfile profile() const;
    const reference::EmbeddedEndpoints& endpoints() const { return server_->endpoints(); }
    const std::filesystem::path& store() const { return maildir_; }

  private:
    std::filesystem::path maildir_;
    std::unique_ptr<reference::EmbeddedServer> server_;
};

}  // namespace mh::cli
