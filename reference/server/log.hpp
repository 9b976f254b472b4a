#pragma once
// One line per session event on stderr ("smtp#12 [::1]:40112 connect"); quiet drops them.

#include <atomic>
#include <string>
#include <string_view>

namespace mh::reference {

class EventLog {
  public:
    explicit EventLog(bool quiet) : quiet_(quiet) {}
    void write(std::string_view session, std::string_view event) const;
    // "smtp#1", "pop3s#2": numbered per process, for the log lines of one session.
    std::string next_session_name(std::string_view protocol);

  private:
    bool quiet_;
    std::atomic<unsigned long> next_id_{1};
};

}  // namespace mh::reference
