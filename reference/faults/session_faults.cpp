#include "reference/faults/session_faults.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace mh::reference {
namespace {

constexpr std::size_t max_held_line = 64 * 1024;  // longer "lines" pass: the session refuses them

std::string verb_of(std::string_view line) {
    std::string verb;
    for (char c : line) {
        if (c == ' ' || c == '\r' || c == '\n') {
            break;
        }
        verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return verb;
}

// "BDAT 1000 LAST" -> 1000; the chunk follows the line at once (RFC 3030 2).
std::uint64_t bdat_size(std::string_view line) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) {
        return 0;
    }
    std::uint64_t size = 0;
    std::from_chars(line.data() + space + 1, line.data() + line.size(), size);
    return size;
}

}  // namespace

SessionFaults::SessionFaults(const FaultPlan& plan, FaultProtocol protocol,
                             std::uint64_t session_number)
    : plan_(plan),
      protocol_(protocol),
      random_(plan.seed ^ (session_number * 0x9E3779B97F4A7C15ULL)),
      occurrences_(plan.rules.size(), 0) {}

const FaultRule* SessionFaults::decide(std::string_view command) {
    for (std::size_t i = 0; i < plan_.rules.size(); ++i) {
        const FaultRule& rule = plan_.rules[i];
        const bool any_line = rule.command == "*" && command != "CONNECT" && command != "MESSAGE";
        if (!rule.applies_to(protocol_) || !(rule.command == command || any_line)) {
            continue;
        }
        const unsigned count = ++occurrences_[i];
        if (rule.nth != 0 && count != rule.nth) {
            continue;
        }
        if (rule.probability < 1.0 &&
            std::uniform_real_distribution<double>(0.0, 1.0)(random_) >= rule.probability) {
            continue;
        }
        return &rule;
    }
    return nullptr;
}

const FaultRule* SessionFaults::on_connect() {
    return decide("CONNECT");
}

void SessionFaults::content_opened() {
    content_ = true;
    content_tail_ = "\r\n";  // the DATA line's end: an empty message is just ".\r\n"
}

SessionFaults::Step SessionFaults::content_step(std::string_view pending) {
    const std::string seen = content_tail_ + std::string(pending);
    const auto end = seen.find("\r\n.\r\n");
    if (end == std::string::npos) {
        content_tail_ = seen.substr(seen.size() - std::min<std::size_t>(seen.size(), 4));
        promised_ = pending.size();
        return {pending.size(), nullptr, 0};
    }
    content_ = false;
    promised_ = end + 5 - content_tail_.size();
    content_tail_.clear();
    const FaultRule* rule = decide("MESSAGE");
    if (rule != nullptr &&
        (rule->action == FaultAction::reply || rule->action == FaultAction::malformed)) {
        skip_delivery_ = true;
        replacement_ = rule->reply;
    }
    return {promised_, rule, 0};
}

SessionFaults::Step SessionFaults::next(std::string_view pending, bool eof) {
    if (promised_ > 0) {
        return {std::min(promised_, pending.size()), nullptr, 0};
    }
    if (bdat_left_ > 0) {
        promised_ = static_cast<std::size_t>(std::min<std::uint64_t>(bdat_left_, pending.size()));
        bdat_left_ -= promised_;
        return {promised_, nullptr, 0};
    }
    if (content_) {
        return content_step(pending);
    }
    const auto newline = pending.find('\n');
    if (newline == std::string_view::npos) {
        if (eof || pending.size() > max_held_line) {
            promised_ = pending.size();
            return {promised_, nullptr, 0};
        }
        return {};  // wait for the rest of the line
    }
    const std::size_t length = newline + 1;
    const std::string verb = verb_of(pending.substr(0, length));
    if (verb == "BDAT" && protocol_ == FaultProtocol::smtp) {
        bdat_left_ = bdat_size(pending.substr(0, newline));
        promised_ = length;
        return {length, nullptr, 0};
    }
    const FaultRule* rule = decide(verb);
    if (rule == nullptr || rule->action == FaultAction::delay) {
        promised_ = length;  // a delayed line passes once the delay is over
        return {rule == nullptr ? length : 0, rule, length};
    }
    return {0, rule, length};
}

void SessionFaults::consumed(std::size_t n) {
    promised_ -= std::min(n, promised_);
}

bool SessionFaults::take_skip_delivery() {
    return std::exchange(skip_delivery_, false);
}

std::optional<std::string> SessionFaults::take_replacement() {
    return std::exchange(replacement_, std::nullopt);
}

std::unique_ptr<SessionFaults> FaultInjector::session(FaultProtocol protocol) {
    const bool concerned =
        std::any_of(plan_.rules.begin(), plan_.rules.end(),
                    [&](const FaultRule& rule) { return rule.applies_to(protocol); });
    if (!concerned) {
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    return std::make_unique<SessionFaults>(plan_, protocol, next_session_++);
}

}  // namespace mh::reference
