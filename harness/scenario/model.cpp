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

namespace {

std::vector<std::string_view> dot_parts(std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t dot = text.find('.', start);
        parts.push_back(text.substr(start, dot - start));
        if (dot == std::string_view::npos) {
            return parts;
        }
        start = dot + 1;
    }
}

bool wildcard(std::string_view part) {
    return part == "x" || part == "X" || part == "*";
}

}  // namespace

namespace {

template <typename E, typename P>
void visit_patterns(E& expectation, const std::function<void(P&)>& visit) {
    std::visit(
        [&](auto& form) {
            using T = std::decay_t<decltype(form)>;
            if constexpr (std::is_same_v<T, ReplyExpect>) {
                if (form.text) {
                    visit(*form.text);
                }
            } else if constexpr (std::is_same_v<T, ResponseExpect>) {
                if (form.text) {
                    visit(*form.text);
                }
                if (form.body && form.body->matches) {
                    visit(*form.body->matches);
                }
            } else if constexpr (std::is_same_v<T, AnyExpect>) {
                for (auto& alternative : form.alternatives) {
                    visit_patterns(alternative, visit);
                }
            }
        },
        expectation.form);
}

}  // namespace

void for_each_pattern(Expectation& expectation, const std::function<void(Pattern&)>& visit) {
    visit_patterns(expectation, visit);
}

void for_each_pattern(const Expectation& expectation,
                      const std::function<void(const Pattern&)>& visit) {
    visit_patterns(expectation, visit);
}

bool EnhancedPattern::valid(std::string_view text) {
    const auto parts = dot_parts(text);
    if (parts.size() != 3) {
        return false;
    }
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string_view part = parts[i];
        if (wildcard(part)) {
            continue;
        }
        const bool number = !part.empty() && part.size() <= 3 &&
                            part.find_first_not_of("0123456789") == std::string_view::npos;
        if (!number || (i == 0 && part != "2" && part != "4" && part != "5")) {
            return false;
        }
    }
    return true;
}

bool EnhancedPattern::matches(std::string_view code) const {
    const auto want = dot_parts(text);
    const auto got = dot_parts(code);
    if (want.size() != got.size()) {
        return false;
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (!wildcard(want[i]) && want[i] != got[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace mh::harness::scenario
