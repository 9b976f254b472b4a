#include "harness/run/deliver.hpp"

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "harness/run/channel.hpp"
#include "harness/run/matchers.hpp"
#include "harness/run/wire.hpp"

namespace mh::harness::run {

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
    return text;
}

// A Maildir name unique across processes and threads (time, pid, counter).
std::string maildir_name() {
    static std::atomic<unsigned> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    return std::to_string(micros / 1000000) + ".M" + std::to_string(micros % 1000000) + "P" +
           std::to_string(::getpid()) + "Q" + std::to_string(counter++) + ".mailharness";
}

void deliver_to_maildir(const scenario::TargetProfile& profile, const Delivery& delivery,
                        transport::TranscriptRecorder& transcript) {
    if (!delivery.account) {
        throw DeliveryError("deliver: `" + delivery.address +
                            "` is not an account of the target profile, and a "
                            "maildir delivery needs one");
    }
    const std::filesystem::path root =
        replace_all(profile.maildir_pattern, "%u", delivery.account->user);
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) {
        std::filesystem::create_directories(root / sub, ec);
        if (ec) {
            throw DeliveryError("deliver: cannot create " + (root / sub).string() + ": " +
                                ec.message());
        }
    }
    const std::string name = maildir_name();
    const auto temporary = root / "tmp" / name;
    {
        std::ofstream out(temporary, std::ios::binary);
        // Maildir files hold LF line ends; the POP3 server adds the CRs.
        out << replace_all(replace_all(delivery.text, "\r\n", "\n"), "\r", "\n");
        if (!delivery.text.ends_with('\n')) {
            out << '\n';
        }
        if (!out) {
            throw DeliveryError("deliver: cannot write " + temporary.string());
        }
    }
    std::filesystem::rename(temporary, root / "new" / name, ec);
    if (ec) {
        throw DeliveryError("deliver: cannot move the message into " + (root / "new").string() +
                            ": " + ec.message());
    }
    transcript.note("delivered into " + (root / "new" / name).string(), "deliver");
}

// One SMTP command whose reply must be in `expected_class` (2 or 3).
void command(Channel& channel, const std::string& line, int expected_class,
             scenario::Duration timeout) {
    if (!line.empty()) {
        channel.send(line, transport::Clock::now() + timeout);
    }
    const Observation answer = channel.observe(timeout);
    if (answer.kind != Observation::Kind::reply ||
        answer.reply.reply.code / 100 != expected_class) {
        const std::string what = line.empty() ? std::string("the greeting")
                                              : "\"" + line.substr(0, line.find('\r')) + "\"";
        throw DeliveryError("deliver: " + what + " was answered with " + describe(answer));
    }
}

void deliver_by_smtp(const scenario::TargetProfile& profile, const Delivery& delivery,
                     scenario::Duration timeout, transport::TranscriptRecorder& transcript,
                     std::stop_token stop) {
    if (!profile.smtp) {
        throw DeliveryError(
            "deliver: the target profile has neither an smtp endpoint nor a seed maildir");
    }
    Channel channel(scenario::Protocol::smtp,
                    transport::TlsSettings{profile.tls_verify, profile.tls_ca}, transcript,
                    "deliver", ChannelLimits{}, std::move(stop));
    try {
        channel.open(*profile.smtp, transport::Clock::now() + timeout);
        const std::string ehlo =
            "EHLO harness." +
            (profile.domain.empty() ? std::string("example.test") : profile.domain) + "\r\n";
        command(channel, "", 2, timeout);
        channel.send(ehlo, transport::Clock::now() + timeout);
        const Observation hello = channel.observe(timeout);
        if (hello.kind != Observation::Kind::reply || hello.reply.reply.code != 250) {
            throw DeliveryError("deliver: EHLO was answered with " + describe(hello));
        }
        const auto& lines = hello.reply.reply.lines;
        const std::vector<std::string> keywords(lines.begin() + 1, lines.end());
        if (profile.smtp->tls == scenario::TlsMode::starttls && advertises(keywords, "STARTTLS")) {
            command(channel, "STARTTLS\r\n", 2, timeout);
            channel.handshake(transport::Clock::now() + timeout);
            command(channel, ehlo, 2, timeout);
        }
        command(channel, "MAIL FROM:<" + delivery.from + ">\r\n", 2, timeout);
        command(channel, "RCPT TO:<" + delivery.address + ">\r\n", 2, timeout);
        command(channel, "DATA\r\n", 3, timeout);
        command(channel, data_payload(delivery.text), 2, timeout);
        channel.send("QUIT\r\n", transport::Clock::now() + timeout);
    } catch (const transport::TransportError& e) {
        if (e.kind() == transport::TransportError::Kind::stopped) {
            throw;
        }
        throw DeliveryError(std::string("deliver: ") + e.what());
    }
}

}  // namespace

void deliver(const scenario::TargetProfile& profile, const Delivery& delivery,
             scenario::Duration timeout, transport::TranscriptRecorder& transcript,
             std::stop_token stop) {
    if (!profile.maildir_pattern.empty()) {
        deliver_to_maildir(profile, delivery, transcript);
    } else {
        deliver_by_smtp(profile, delivery, timeout, transcript, std::move(stop));
    }
}

}  // namespace mh::harness::run
