#include "harness/run/observation.hpp"

#include "harness/transport/transcript.hpp"

namespace mh::harness::run {

std::string describe(const Observation& observation) {
    const auto waited = std::to_string(static_cast<long long>(observation.waited_ms)) + " ms";
    switch (observation.kind) {
        case Observation::Kind::reply: {
            std::string out;
            for (const auto& line : observation.reply.raw_lines) {
                out += (out.empty() ? "" : "\n") + transport::escape_bytes(line);
            }
            return out;
        }
        case Observation::Kind::response: {
            std::string out = transport::escape_bytes(observation.response.status_line);
            if (observation.response.multiline) {
                out +=
                    " (then " + std::to_string(observation.response.body.size()) + " body lines)";
            }
            return out;
        }
        case Observation::Kind::closed: {
            std::string out = observation.reset ? "the server reset the connection (TCP RST)"
                                                : "the server closed the connection";
            if (!observation.unfinished.empty()) {
                out += " in the middle of a reply: \"" + observation.unfinished + "\"";
            }
            return out;
        }
        case Observation::Kind::timeout:
            if (observation.unfinished.empty()) {
                return "nothing within " + waited;
            }
            return "an unfinished reply after " + waited + ": \"" + observation.unfinished + "\"";
        case Observation::Kind::overflow:
            return "more data than the harness accepts for one reply, without its end (cut off): "
                   "\"" +
                   observation.unfinished + "\"";
    }
    return "?";
}

}  // namespace mh::harness::run
