#pragma once
// The relay queue as a maildir folder (QUEUE/{tmp,new,cur}), written through the same group
// commit as mailboxes. Each file is the envelope in SMTP command form, then the message:
//   MAIL FROM:<sender>\r\n RCPT TO:<rcpt>\r\n ... DATA\r\n <message, unstuffed, CRLF>
// so a relay can replay it and a human can read it.

#include <filesystem>
#include <functional>
#include <mutex>

#include "reference/relay/queue.hpp"

namespace mh::reference {

class MaildirRelayQueue : public RelayQueue {
  public:
    // Creates the folder when missing.
    MaildirRelayQueue(std::filesystem::path folder, GroupCommitter& committer);

    void enqueue(std::string_view mail_from, const std::vector<std::string>& recipients,
                 std::string_view message, DeliveryCompletion done) override;

    const std::filesystem::path& folder() const { return folder_; }

    // Called (on the committer thread) after each message is safely queued, so the relay
    // need not wait for its next scan; an empty function stops the calls.
    void on_queued(std::function<void()> listener);

  private:
    std::filesystem::path folder_;
    GroupCommitter& committer_;
    std::mutex listener_mutex_;
    std::function<void()> listener_;
};

}  // namespace mh::reference
