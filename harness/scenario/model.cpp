#include "harness/scenario/model.hpp"

namespace mh::harness::scenario {

const char* to_string(Protocol protocol) {
    return protocol == Protocol::smtp ? "smtp" : "pop3";
}

const char* to_string(Mechanism mechanism) {
    switch (mechanism) {
        case Mechanism::plain:
            return "PLAIN";
        case Mechanism::login:
            return "LOGIN";
        case Mechanism::cram_md5:
            return "CRAM-MD5";
        case Mechanism::user:
            return "USER";
        case Mechanism::apop:
            return "APOP";
    }
    return "?";
}

bool Pattern::search(const std::string& text) const {
    return regex && std::regex_search(text, *regex);
}

bool CodePattern::matches(int code) const {
    const std::string actual = std::to_string(code);
    if (actual.size() != 3 || digits.size() != 3) {
        return false;
    }
    for (std::size_t i = 0; i < 3; ++i) {
        if (digits[i] != 'x' && digits[i] != actual[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace mh::harness::scenario
