#pragma once
// Dropping root (issue 8): a server started as root binds its ports, loads its key, then runs
// as an ordinary user, so a flaw in a session cannot touch the rest of the system.

#include <filesystem>
#include <string>

namespace mh::reference {

// As root with `user` set: hands the mail root to that user (so delivery keeps working),
// then switches group list, group and user for good. Without root, `user` must be the
// current user (or empty). Throws std::runtime_error saying what failed.
void drop_privileges(const std::string& user, const std::filesystem::path& maildir);

}  // namespace mh::reference
