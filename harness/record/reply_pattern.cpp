#include "harness/record/reply_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

namespace mh::harness::record {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
    return is_digit(c) || is_alpha(c);
}

// Date-times as servers write them: RFC 5322 3.3 ("Fri, 27 Nov 2026 02:39:44 +0000"), ISO 8601
// ("2026-11-27T02:39:44Z"), asctime ("Fri Nov 27 02:39:44 2026"), and bare clock times.
const std::regex& date_regex() {
    static const std::regex regex(
        R"((?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s+)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+(?:[+-]\d{4}|[A-Z]{1,5}))?)"
        R"(|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
        R"(|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})"
        R"(|\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)");
    return regex;
}
constexpr std::string_view date_pattern = R"([^\n]+?)";

// A generated token: long enough, with digits, and shaped like an id rather than a word or a
// keyword ("8BITMIME", "SMTPUTF8" stay): lower-case letters mixed with digits, upper-case hex,
// or a long run of digits (Unix times, counters).
bool id_like(std::string_view run) {
    const bool digits = std::any_of(run.begin(), run.end(), is_digit);
    if (run.size() < 6 || !digits) {
        return false;
    }
    const bool lower =
        std::any_of(run.begin(), run.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    const bool all_digits = std::all_of(run.begin(), run.end(), is_digit);
    const bool upper_hex = std::all_of(
        run.begin(), run.end(), [](char c) { return is_digit(c) || (c >= 'A' && c <= 'F'); });
    return (lower && std::any_of(run.begin(), run.end(), is_alpha)) ||
           (upper_hex && run.size() >= 8 && !all_digits) || (all_digits && run.size() >= 9);
}

// mx.example.test: labels of letters, digits and '-', at least two, the last alphabetic.
bool host_name(std::string_view word) {
    static const std::regex regex(R"(([A-Za-z0-9-]+\.)+[A-Za-z]{2,})");
    return std::regex_match(word.begin(), word.end(), regex);
}

bool ipv4(std::string_view word) {
    static const std::regex regex(R"(\d{1,3}(\.\d{1,3}){3})");
    return std::regex_match(word.begin(), word.end(), regex);
}

// The pattern of one whitespace-free word of a reply.
std::string word_pattern(std::string_view word, Volatility volatility) {
    if (volatility == Volatility::mailbox_state &&
        std::any_of(word.begin(), word.end(), is_digit)) {
        return R"(\S+)";
    }
    // <...@...>: message ids and APOP timestamps (RFC 1939 7) are generalised; addresses the
    // server echoes ("<bob@example.test>") come from the client and are kept. Generated local
    // parts are told apart by their digits.
    if (word.size() > 2 && word.front() == '<') {
        const auto close = word.find('>');
        const auto at = word.find('@');
        if (close != std::string_view::npos && at != std::string_view::npos && at < close &&
            std::count_if(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(at), is_digit) >=
                3) {
            return R"(<[^>\s]*>)" + escape_regex(word.substr(close + 1));
        }
    }
    if (word.size() > 2 && word.front() == '[') {  // address literal [127.0.0.1], [IPv6:...]
        const auto close = word.find(']');
        if (close != std::string_view::npos) {
            return R"(\[[^\]\s]*\])" + escape_regex(word.substr(close + 1));
        }
    }
    // Strip punctuation around the core so "(mx.example.test)" and "example.test," are found.
    std::size_t begin = 0, end = word.size();
    while (begin < end && !is_alnum(word[begin])) {
        ++begin;
    }
    while (end > begin && !is_alnum(word[end - 1])) {
        --end;
    }
    const std::string_view core = word.substr(begin, end - begin);
    std::string generalised;
    if (core.empty() || core.find('@') != std::string_view::npos) {
        return escape_regex(word);  // an address the client sent
    } else if (ipv4(core)) {
        generalised = R"([0-9.]+)";
    } else if (host_name(core)) {
        generalised = R"([A-Za-z0-9.-]+)";
    } else {
        for (std::size_t i = 0; i < core.size();) {
            std::size_t j = i;
            while (j < core.size() && is_alnum(core[j])) {
                ++j;
            }
            if (id_like(core.substr(i, j - i))) {
                generalised = R"([^\s]+)";  // the whole word: ids often join parts with . or -
                begin = 0;
                end = word.size();
                break;
            }
            i = std::max(j + 1, i + 1);
        }
        if (generalised.empty()) {
            return escape_regex(word);
        }
    }
    return escape_regex(word.substr(0, begin)) + generalised + escape_regex(word.substr(end));
}

}  // namespace

std::string escape_regex(std::string_view text) {
    static constexpr std::string_view special = R"(\^$.|?*+()[]{}/)";
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            out += '.';
        } else {
            if (special.find(c) != std::string_view::npos) {
                out += '\\';
            }
            out += c;
        }
    }
    return out;
}

std::string reply_pattern(std::string_view text, Volatility volatility) {
    // Dates first: they span several words.
    std::vector<std::pair<std::size_t, std::size_t>> dates;
    for (auto it = std::cregex_iterator(text.data(), text.data() + text.size(), date_regex());
         it != std::cregex_iterator(); ++it) {
        dates.emplace_back(static_cast<std::size_t>(it->position()),
                           static_cast<std::size_t>(it->length()));
    }
    std::string out = "^";
    std::size_t date = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (date < dates.size() && dates[date].first == i) {
            out += date_pattern;
            i += dates[date].second;
            ++date;
            continue;
        }
        if (text[i] == ' ' || text[i] == '\n' || text[i] == '\t') {
            out += text[i] == '\n' ? "\\n" : text[i] == '\t' ? "\\t" : " ";
            ++i;
            continue;
        }
        std::size_t j = i;
        const std::size_t stop = date < dates.size() ? dates[date].first : text.size();
        while (j < stop && text[j] != ' ' && text[j] != '\n' && text[j] != '\t') {
            ++j;
        }
        out += word_pattern(text.substr(i, j - i), volatility);
        i = j;
    }
    return out + "$";
}

}  // namespace mh::harness::record
