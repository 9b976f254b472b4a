#include "reference/relay/queue_entry.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace mh::reference {
namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error(file.string() + ": cannot open the queued message");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// "PREFIX<address>" -> address; nullopt when the line has another form.
std::optional<std::string> bracketed(std::string_view line, std::string_view prefix) {
    if (!line.starts_with(prefix) || !line.ends_with('>')) {
        return std::nullopt;
    }
    line.remove_prefix(prefix.size());
    line.remove_suffix(1);
    return std::string(line);
}

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// One write(2), no fsync: queue_sync.hpp makes it durable later. `mode` is O_TRUNC or O_APPEND.
void write_file(const std::filesystem::path& file, int mode, const std::string& text) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0600);
    if (fd < 0) {
        throw_errno("cannot write " + file.string());
    }
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int saved = errno;
    ::close(fd);
    if (!written) {
        errno = saved;
        throw_errno("cannot write " + file.string());
    }
}

}  // namespace

QueuedMessage read_queued_message(const std::filesystem::path& file) {
    QueuedMessage out;
    out.id = file.filename().string();
    const std::string text = slurp(file);
    std::size_t pos = 0;
    bool data = false;
    while (!data) {
        const auto end = text.find("\r\n", pos);
        if (end == std::string::npos) {
            throw std::runtime_error(file.string() + ": the envelope does not end with DATA");
        }
        const std::string_view line(text.data() + pos, end - pos);
        pos = end + 2;
        if (auto from = bracketed(line, "MAIL FROM:<")) {
            out.mail_from = *from;
        } else if (auto rcpt = bracketed(line, "RCPT TO:<")) {
            out.recipients.push_back(*rcpt);
        } else if (line == "DATA") {
            data = true;
        } else {
            throw std::runtime_error(file.string() + ": unexpected envelope line '" +
                                     std::string(line.substr(0, 80)) + "'");
        }
    }
    if (out.recipients.empty()) {
        throw std::runtime_error(file.string() + ": the envelope has no RCPT TO line");
    }
    out.message = text.substr(pos);
    struct stat info {};
    if (::stat(file.c_str(), &info) == 0) {
        out.arrival = std::chrono::system_clock::from_time_t(info.st_mtime);
    }
    return out;
}

bool QueueState::finished_with(const std::string& recipient) const {
    return std::find(finished.begin(), finished.end(), recipient) != finished.end();
}

QueueStateStore::QueueStateStore(std::filesystem::path queue, QueueSync::ErrorHandler on_error)
    : queue_(std::move(queue)), state_dir_(queue_ / "state"), sync_(queue_, std::move(on_error)) {
    std::filesystem::create_directories(state_dir_);
}

std::filesystem::path QueueStateStore::message_path(const std::string& id) const {
    return queue_ / "new" / id;
}

QueueState QueueStateStore::load(const std::string& id) const {
    QueueState state;
    std::ifstream in(state_dir_ / id);
    std::string key;
    while (in >> key) {
        std::string value;
        in.get();  // the one space
        std::getline(in, value);
        if (key == "attempts") {
            state.attempts = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
        } else if (key == "next") {
            state.next_attempt =
                std::chrono::system_clock::from_time_t(std::strtoll(value.c_str(), nullptr, 10));
        } else if (key == "done") {
            state.finished.push_back(value);
        }
    }
    return state;
}

void QueueStateStore::save(const std::string& id, const QueueState& state) {
    std::string text = "attempts " + std::to_string(state.attempts) + "\nnext " +
                       // Rounded up: never earlier than the schedule says.
                       std::to_string(std::chrono::ceil<std::chrono::seconds>(
                                          state.next_attempt.time_since_epoch())
                                          .count()) +
                       "\n";
    for (const auto& recipient : state.finished) {
        text += "done " + recipient + "\n";
    }
    const auto temporary = state_dir_ / (id + ".tmp");
    write_file(temporary, O_TRUNC, text);
    if (::rename(temporary.c_str(), (state_dir_ / id).c_str()) != 0) {
        throw_errno("cannot rename " + temporary.string());
    }
    sync_.state_written(id);
}

void QueueStateStore::record_finished(const std::string& id,
                                      const std::vector<std::string>& recipients) {
    std::string text;
    for (const auto& recipient : recipients) {
        text += "done " + recipient + "\n";
    }
    write_file(state_dir_ / id, O_APPEND, text);
    sync_.state_written(id);
}

void QueueStateStore::remove_message(const std::string& id) {
    if (::unlink(message_path(id).c_str()) != 0 && errno != ENOENT) {
        throw_errno("cannot remove " + message_path(id).string());
    }
    sync_.message_removed(id);
}

void QueueStateStore::remove_orphans() const {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(state_dir_, ec)) {
        std::string id = entry.path().filename().string();
        if (id.ends_with(".tmp")) {
            id.resize(id.size() - 4);
        }
        if (!std::filesystem::exists(message_path(id))) {
            std::error_code ignored;
            std::filesystem::remove(entry.path(), ignored);
        }
    }
}

}  // namespace mh::reference
