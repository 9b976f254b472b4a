#include "harness/diff/run_diff.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

namespace mh::harness::diff {

namespace {

bool pop3_status(std::string_view text) {
    return text.starts_with("+OK") || text.starts_with("-ERR");
}

// "250 ok", "250" (a reply's last line); not "250-more" nor "25".
bool smtp_last_line(std::string_view text) {
    return text.size() >= 3 && text[0] >= '2' && text[0] <= '5' &&
           std::isdigit(static_cast<unsigned char>(text[1])) &&
           std::isdigit(static_cast<unsigned char>(text[2])) &&
           (text.size() == 3 || text[3] == ' ');
}

}  // namespace

std::vector<std::string> reply_classes(const CaseResult& result) {
    const auto is_server = [](const TranscriptLine& line) {
        return line.direction == TranscriptLine::Direction::server;
    };
    const bool pop3 = std::any_of(
        result.transcript.begin(), result.transcript.end(),
        [&](const TranscriptLine& line) { return is_server(line) && pop3_status(line.text); });
    std::vector<std::string> classes;
    for (const TranscriptLine& line : result.transcript) {
        if (!is_server(line)) {
            continue;
        }
        std::string reply_class;
        if (pop3 && pop3_status(line.text)) {
            reply_class = line.text.substr(0, 1);
        } else if (!pop3 && smtp_last_line(line.text)) {
            reply_class = line.text.substr(0, 1);
        } else {
            continue;
        }
        classes.push_back(line.connection.empty() ? reply_class
                                                  : line.connection + ":" + reply_class);
    }
    return classes;
}

const char* to_string(Difference difference) {
    switch (difference) {
        case Difference::outcome:
            return "outcome";
        case Difference::reply_classes:
            return "reply classes";
        case Difference::only_in_a:
            return "only in A";
        case Difference::only_in_b:
            return "only in B";
    }
    return "?";
}

RunDiff diff_runs(const RunResult& a, const RunResult& b) {
    std::map<std::string, const CaseResult*> in_b;
    for (const CaseResult& result : b.cases) {
        in_b.emplace(result.full_id(), &result);
    }
    RunDiff diff;
    for (const CaseResult& left : a.cases) {
        const std::string id = left.full_id();
        const auto found = in_b.find(id);
        if (found == in_b.end()) {
            diff.cases.push_back({id, Difference::only_in_a, left, std::nullopt});
            continue;
        }
        const CaseResult& right = *found->second;
        in_b.erase(found);
        ++diff.compared;
        if (left.outcome != right.outcome) {
            diff.cases.push_back({id, Difference::outcome, left, right});
        } else if (reply_classes(left) != reply_classes(right)) {
            diff.cases.push_back({id, Difference::reply_classes, left, right});
        }
    }
    for (const CaseResult& right : b.cases) {
        if (in_b.contains(right.full_id())) {
            diff.cases.push_back({right.full_id(), Difference::only_in_b, std::nullopt, right});
        }
    }
    return diff;
}

}  // namespace mh::harness::diff
