#pragma once
// Account names become folder names under the maildir root, so they are checked against an
// allow-list: [A-Za-z0-9._-], 1..64 characters, not starting with '.'. That rules out '/',
// "..", NUL and absolute paths, so no name can reach outside the root.

#include <string>
#include <string_view>

namespace mh::reference {

// Empty when `name` is acceptable, else the reason.
std::string account_name_problem(std::string_view name);

}  // namespace mh::reference
