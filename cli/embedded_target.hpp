#pragma once
// The embedded default target for a command that runs suites: the reference server on free
// loopback ports, with a throwaway Maildir that is removed again when the object goes. Its
// store is Durability::unsynced: delivered mail is visible at once and never fsynced.

#include <filesystem>
#include <memory>

#include "harness/scenario/target.hpp"
#include "reference/embedded.hpp"

namespace mh::cli {

class EmbeddedTarget {
  public:
    // Throws std::runtime_error with the reason when the server cannot start.
    EmbeddedTarget();
    ~EmbeddedTarget();
    EmbeddedTarget(const EmbeddedTarget&) = delete;
    EmbeddedTarget& operator=(const EmbeddedTarget&) = delete;

    // The fixed default profile (docs/scenario-format.md) with this server's ports.
    harness::scenario::TargetProfile profile() const;

  private:
    std::filesystem::path maildir_;
    std::unique_ptr<reference::EmbeddedServer> server_;
};

}  // namespace mh::cli
