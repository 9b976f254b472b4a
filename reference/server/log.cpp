#include "reference/server/log.hpp"

#include <cstdio>
#include <ctime>

namespace mh::reference {

void EventLog::write(std::string_view session, std::string_view event) const {
    if (quiet_) {
        return;
    }
    std::timespec now{};
    std::timespec_get(&now, TIME_UTC);
    std::tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    // One fprintf per line: stdio locks the stream, so lines of concurrent sessions never mix.
    std::fprintf(stderr, "%s.%03ldZ %.*s %.*s\n", stamp, now.tv_nsec / 1000000,
                 static_cast<int>(session.size()), session.data(), static_cast<int>(event.size()),
                 event.data());
}

std::string EventLog::next_session_name(std::string_view protocol) {
    return std::string(protocol) + "#" + std::to_string(next_id_++);
}

}  // namespace mh::reference
