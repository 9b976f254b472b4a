#pragma once
// Keep mode's memory (RFC 1939 7, UIDL): which messages of which mailbox were downloaded. One
// file per local Maildir, lines "<mailbox key> TAB <uid>", so several servers or users can
// fetch into one Maildir. Each download is appended and fsynced before the next one starts.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace mh::reference::clients::detail {

class UidlState {
  public:
    // Loads `file` when it exists; `mailbox` is "user@host:port". Throws ClientError(local).
    UidlState(std::filesystem::path file, std::string mailbox);

    bool contains(const std::string& uid) const { return uids_.contains(uid); }
    // Appends and fsyncs. Throws ClientError(local).
    void add(const std::string& uid);
    // Forgets this mailbox's UIDs the server no longer has (atomic rewrite).
    void retain_only(const std::set<std::string>& on_server);

  private:
    std::filesystem::path file_;
    std::string mailbox_;
    std::set<std::string> uids_;
    std::vector<std::string> other_lines_;  // other mailboxes' lines, kept as they are
};

}  // namespace mh::reference::clients::detail
