#include "reference/store/account_name.hpp"

namespace mh::reference {

std::string account_name_problem(std::string_view name) {
    constexpr std::size_t max_length = 64;
    if (name.empty() || name.size() > max_length) {
        return "an account name has 1 to 64 characters";
    }
    if (name.front() == '.') {
        return "an account name must not start with '.'";
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return "an account name may only contain letters, digits, '.', '_' and '-'";
        }
    }
    return {};
}

}  // namespace mh::reference
