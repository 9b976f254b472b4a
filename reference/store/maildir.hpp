#pragma once
// Maildir layout and durable delivery (the maildir convention: write to tmp/, fsync, rename into
// new/, fsync new/). Accounts live at ROOT/<account>/Maildir/{tmp,new,cur}.

#include <filesystem>
#include <string>
#include <string_view>

namespace mh::reference {

// Creates ROOT/<account>/Maildir/{tmp,new,cur} when missing and returns the Maildir folder.
// Throws std::invalid_argument for a name that fails account_name_problem(), and
// std::filesystem::filesystem_error when the folders cannot be made.
std::filesystem::path ensure_account_maildir(const std::filesystem::path& root,
                                             std::string_view account);

// Creates DIR/{tmp,new,cur} when missing (also used for the relay queue folder).
void ensure_maildir(const std::filesystem::path& maildir);

// A unique file name for a new message: "SECONDS.MUSECPpidQcounter.host", as the maildir
// convention suggests; unique across threads and processes of this host.
std::string unique_message_name();

// A message written to tmp/ but not yet durable or visible. Owns the open descriptor.
class StagedMessage {
  public:
    // Writes `prefix` then `content` to maildir/tmp/<name>. Throws std::system_error.
    StagedMessage(const std::filesystem::path& maildir, std::string_view prefix,
                  std::string_view content);
    ~StagedMessage();
    StagedMessage(StagedMessage&& other) noexcept;
    StagedMessage& operator=(StagedMessage&&) = delete;
    StagedMessage(const StagedMessage&) = delete;

    void sync_file();  // fsync the data; throws std::system_error
    void publish();    // rename tmp/<name> -> new/<name>; throws std::system_error
    const std::filesystem::path& new_dir() const { return new_dir_; }
    const std::string& name() const { return name_; }

  private:
    int fd_ = -1;
    std::string name_;
    std::filesystem::path tmp_path_;
    std::filesystem::path new_dir_;
    bool published_ = false;
};

// fsync a directory so that a rename inside it is durable. Throws std::system_error.
void sync_directory(const std::filesystem::path& dir);

}  // namespace mh::reference
