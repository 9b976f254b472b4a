#include "reference/relay/maildir_queue.hpp"

namespace mh::reference {

MaildirRelayQueue::MaildirRelayQueue(std::filesystem::path folder, GroupCommitter& committer)
    : folder_(std::move(folder)), committer_(committer) {
    ensure_maildir(folder_);
}

void MaildirRelayQueue::enqueue(std::string_view mail_from,
                                const std::vector<std::string>& recipients,
                                std::string_view message, DeliveryCompletion done) {
    std::string envelope = "MAIL FROM:<" + std::string(mail_from) + ">\r\n";
    for (const std::string& recipient : recipients) {
        envelope += "RCPT TO:<" + recipient + ">\r\n";
    }
    envelope += "DATA\r\n";
    committer_.submit({Placement{folder_, std::move(envelope)}}, message,
                      [this, done = std::move(done)](DeliveryResult result) {
                          const bool stored = result.status == proto::smtp::DeliveryStatus::stored;
                          done(std::move(result));
                          if (stored) {
                              std::lock_guard lock(listener_mutex_);
                              if (listener_) {
                                  listener_();
                              }
                          }
                      });
}

void MaildirRelayQueue::on_queued(std::function<void()> listener) {
    std::lock_guard lock(listener_mutex_);
    listener_ = std::move(listener);
}

}  // namespace mh::reference
