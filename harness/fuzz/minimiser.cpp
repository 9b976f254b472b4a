#include "harness/fuzz/minimiser.hpp"

#include <string>
#include <vector>

namespace mh::harness::fuzz {

namespace {

class Attempts {
  public:
    explicit Attempts(MinimiseBudget budget)
        : left_(budget.attempts), end_(std::chrono::steady_clock::now() + budget.time) {}
    bool take() {
        if (left_ == 0 || std::chrono::steady_clock::now() > end_) {
            return false;
        }
        --left_;
        return true;
    }

  private:
    std::size_t left_;
    std::chrono::steady_clock::time_point end_;
};

// ddmin over `items`: removes complements of ever finer chunks while `still` holds.
template <typename T>
std::vector<T> ddmin(std::vector<T> items, const std::function<bool(const std::vector<T>&)>& still,
                     Attempts& attempts) {
    std::size_t chunks = 2;
    while (items.size() >= 2) {
        const std::size_t size = (items.size() + chunks - 1) / chunks;
        bool reduced = false;
        for (std::size_t start = 0; start < items.size(); start += size) {
            std::vector<T> rest(items.begin(), items.begin() + static_cast<long>(start));
            rest.insert(rest.end(),
                        items.begin() + static_cast<long>(std::min(items.size(), start + size)),
                        items.end());
            if (rest.empty()) {
                continue;
            }
            if (!attempts.take()) {
                return items;
            }
            if (still(rest)) {
                items = std::move(rest);
                chunks = std::max<std::size_t>(chunks - 1, 2);
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            if (chunks >= items.size()) {
                break;
            }
            chunks = std::min(items.size(), chunks * 2);
        }
    }
    return items;
}

// The turn's bytes as lines, each with its line end.
std::vector<std::string> split_lines(const std::string& bytes) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (begin < bytes.size()) {
        const std::size_t end = bytes.find('\n', begin);
        const std::size_t stop = end == std::string::npos ? bytes.size() : end + 1;
        out.push_back(bytes.substr(begin, stop - begin));
        begin = stop;
    }
    return out;
}

}  // namespace

Conversation minimise(Conversation conversation, const Reproduces& reproduces,
                      MinimiseBudget budget) {
    Attempts attempts(budget);
    conversation.turns = ddmin<Turn>(
        conversation.turns,
        [&](const std::vector<Turn>& turns) {
            Conversation candidate = conversation;
            candidate.turns = turns;
            return reproduces(candidate);
        },
        attempts);
    for (std::size_t t = 0; t < conversation.turns.size(); ++t) {
        const std::vector<std::string> lines = split_lines(conversation.turns[t].bytes);
        const auto kept = ddmin<std::string>(
            lines,
            [&](const std::vector<std::string>& subset) {
                Conversation candidate = conversation;
                candidate.turns[t].bytes.clear();
                for (const auto& line : subset) {
                    candidate.turns[t].bytes += line;
                }
                candidate.turns[t].cuts.clear();
                return reproduces(candidate);
            },
            attempts);
        if (kept.size() < lines.size()) {
            conversation.turns[t].bytes.clear();
            for (const auto& line : kept) {
                conversation.turns[t].bytes += line;
            }
            conversation.turns[t].cuts.clear();
        }
        if (!conversation.turns[t].cuts.empty() && attempts.take()) {
            Conversation candidate = conversation;
            candidate.turns[t].cuts.clear();
            if (reproduces(candidate)) {
                conversation = std::move(candidate);
            }
        }
    }
    return conversation;
}

}  // namespace mh::harness::fuzz
