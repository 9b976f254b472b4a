#include "harness/run/matchers.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "harness/transport/transcript.hpp"

namespace mh::harness::run {

namespace {

using namespace scenario;

std::vector<std::string> upper_words(std::string_view text) {
    std::vector<std::string> words;
    std::istringstream in{std::string(text)};
    for (std::string word; in >> word;) {
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        words.push_back(std::move(word));
    }
    return words;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : std::string(separator)) + item;
    }
    return out;
}

Verdict mismatch(std::string why) {
    return Verdict{false, std::move(why)};
}

Verdict grammar_failure(const std::vector<std::string>& diagnostics, std::string_view what) {
    return mismatch(std::string("the ") + std::string(what) +
                    " breaks the grammar: " + join(diagnostics, "; "));
}

Verdict match_reply(const ReplyExpect& expect, const Observation& observation) {
    if (observation.kind != Observation::Kind::reply) {
        return mismatch("expected a reply, got " + describe(observation));
    }
    const auto& parsed = observation.reply;
    if (!parsed.diagnostics.empty()) {
        return grammar_failure(parsed.diagnostics, "reply");
    }
    const auto& reply = parsed.reply;
    if (!expect.codes.empty() &&
        std::none_of(expect.codes.begin(), expect.codes.end(),
                     [&](const CodePattern& code) { return code.matches(reply.code); })) {
        std::vector<std::string> codes;
        for (const auto& code : expect.codes) {
            codes.push_back(code.digits);
        }
        return mismatch("reply code " + std::to_string(reply.code) + ", expected " +
                        join(codes, " or "));
    }
    if (expect.enhanced && !expect.enhanced->matches(reply.enhanced)) {
        return mismatch(reply.enhanced.empty()
                            ? "no enhanced status code, expected " + expect.enhanced->text
                            : "enhanced status code " + reply.enhanced + ", expected " +
                                  expect.enhanced->text);
    }
    if (expect.lines && reply.lines.size() != *expect.lines) {
        return mismatch(std::to_string(reply.lines.size()) + " reply lines, expected " +
                        std::to_string(*expect.lines));
    }
    if (expect.text && !expect.text->search(join(reply.lines, "\n"))) {
        return mismatch("the reply text does not match /" + expect.text->source + "/");
    }
    if (!expect.contains.empty()) {
        const std::vector<std::string> keywords(reply.lines.begin() + (reply.lines.empty() ? 0 : 1),
                                                reply.lines.end());
        std::vector<std::string> missing;
        for (const auto& keyword : expect.contains) {
            if (!advertises(keywords, keyword)) {
                missing.push_back(keyword);
            }
        }
        if (!missing.empty()) {
            return mismatch("the EHLO keywords lack " + join(missing, ", "));
        }
    }
    return Verdict{true, {}};
}

Verdict match_response(const ResponseExpect& expect, const Observation& observation) {
    if (observation.kind != Observation::Kind::response) {
        return mismatch("expected a response, got " + describe(observation));
    }
    const auto& response = observation.response;
    if (!response.diagnostics.empty()) {
        return grammar_failure(response.diagnostics, "response");
    }
    if (expect.status && *expect.status != proto::pop3::to_string(response.status)) {
        return mismatch(std::string("status ") + proto::pop3::to_string(response.status) +
                        ", expected " + *expect.status);
    }
    if (expect.text && !expect.text->search(response.text)) {
        return mismatch("the response text does not match /" + expect.text->source + "/");
    }
    if (expect.resp_code && response.resp_code != *expect.resp_code) {
        return mismatch(response.resp_code.empty()
                            ? "no response code, expected [" + *expect.resp_code + "]"
                            : "response code [" + response.resp_code + "], expected [" +
                                  *expect.resp_code + "]");
    }
    const bool want_body = expect.multiline.value_or(false) || expect.body.has_value();
    if (want_body && !response.multiline) {
        return mismatch("no multi-line body followed the status line");
    }
    if (expect.body) {
        const auto& body = response.body;
        if (expect.body->lines && body.size() != *expect.body->lines) {
            return mismatch(std::to_string(body.size()) + " body lines, expected " +
                            std::to_string(*expect.body->lines));
        }
        if (expect.body->matches &&
            std::none_of(body.begin(), body.end(), [&](const std::string& line) {
                return expect.body->matches->search(line);
            })) {
            return mismatch("no body line matches /" + expect.body->matches->source + "/");
        }
    }
    return Verdict{true, {}};
}

}  // namespace

Verdict match(const Expectation& expectation, const Observation& observation) {
    return std::visit(
        [&](const auto& form) -> Verdict {
            using T = std::decay_t<decltype(form)>;
            if constexpr (std::is_same_v<T, ReplyExpect>) {
                return match_reply(form, observation);
            } else if constexpr (std::is_same_v<T, ResponseExpect>) {
                return match_response(form, observation);
            } else if constexpr (std::is_same_v<T, ClosedExpect>) {
                if (observation.kind == Observation::Kind::closed) {
                    return Verdict{true, {}};
                }
                return mismatch("expected the server to close the connection, got " +
                                describe(observation));
            } else if constexpr (std::is_same_v<T, SilenceExpect>) {
                const double limit = static_cast<double>(form.duration.count());
                if (observation.kind == Observation::Kind::closed && !observation.first_byte_ms) {
                    return mismatch("expected silence, but the server closed the connection");
                }
                if (!observation.first_byte_ms || *observation.first_byte_ms >= limit) {
                    return Verdict{true, {}};
                }
                return mismatch("expected silence for " + std::to_string(form.duration.count()) +
                                " ms, but data arrived after " +
                                std::to_string(static_cast<long long>(*observation.first_byte_ms)) +
                                " ms");
            } else {
                std::vector<std::string> reasons;
                for (const auto& alternative : form.alternatives) {
                    Verdict verdict = match(alternative, observation);
                    if (verdict.ok) {
                        return verdict;
                    }
                    reasons.push_back(alternative.written + ": " + verdict.why);
                }
                return mismatch("no alternative matched (" + join(reasons, "; ") + ")");
            }
        },
        expectation.form);
}

Duration wait_for(const Expectation& expectation, Duration step_timeout) {
    if (const auto* silence = std::get_if<SilenceExpect>(&expectation.form)) {
        return silence->duration;
    }
    if (const auto* any = std::get_if<AnyExpect>(&expectation.form)) {
        // Once the longest allowed silence has passed, the step has passed whatever would have
        // come later; waiting on to the step timeout only slows the run.
        std::optional<Duration> longest;
        for (const auto& alternative : any->alternatives) {
            if (const auto* silence = std::get_if<SilenceExpect>(&alternative.form)) {
                longest = std::max(longest.value_or(Duration{0}), silence->duration);
            }
        }
        return longest.value_or(step_timeout);
    }
    return step_timeout;
}

std::optional<bool> body_hint(const Expectation& expectation) {
    if (const auto* response = std::get_if<ResponseExpect>(&expectation.form)) {
        if (response->body) {
            return true;
        }
        return response->multiline;
    }
    if (const auto* any = std::get_if<AnyExpect>(&expectation.form)) {
        for (const auto& alternative : any->alternatives) {
            if (auto hint = body_hint(alternative)) {
                return hint;
            }
        }
    }
    return std::nullopt;
}

bool advertises(const std::vector<std::string>& capability_lines, std::string_view keyword) {
    const std::vector<std::string> wanted = upper_words(keyword);
    if (wanted.empty()) {
        return false;
    }
    return std::any_of(
        capability_lines.begin(), capability_lines.end(), [&](const std::string& line) {
            const std::vector<std::string> words = upper_words(line);
            if (words.empty() || words[0] != wanted[0]) {
                return false;
            }
            return std::all_of(wanted.begin() + 1, wanted.end(), [&](const std::string& parameter) {
                return std::find(words.begin() + 1, words.end(), parameter) != words.end();
            });
        });
}

std::string regex_escape(std::string_view text) {
    static constexpr std::string_view special = "\\^$.|?*+()[]{}";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (special.find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

Pattern with_variables(const Pattern& pattern, const VariableLookup& lookup) {
    if (!pattern.has_variables) {
        return pattern;
    }
    const std::string source = substitute(pattern.source, [&](const std::string& name) {
        std::optional<std::string> value = lookup(name);
        return value ? std::optional<std::string>(regex_escape(*value)) : std::nullopt;
    });
    return Pattern{source, std::make_shared<const std::regex>(source, std::regex::ECMAScript)};
}

std::optional<Expectation> with_variables(const Expectation& expectation,
                                          const VariableLookup& lookup) {
    bool any = false;
    for_each_pattern(expectation,
                     [&](const Pattern& pattern) { any = any || pattern.has_variables; });
    if (!any) {
        return std::nullopt;
    }
    Expectation resolved = expectation;
    for_each_pattern(resolved,
                     [&](Pattern& pattern) { pattern = with_variables(pattern, lookup); });
    return resolved;
}

}  // namespace mh::harness::run
