#include "harness/bench/integrity.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/bench/async_connection.hpp"
#include "harness/bench/message_factory.hpp"
#include "harness/run/matchers.hpp"

namespace mh::harness::bench {

namespace asio = boost::asio;

nlohmann::json IntegrityReport::to_json() const {
    return {{"ok", ok()},
            {"accepted", accepted},
            {"delivered", delivered},
            {"missing", missing},
            {"duplicates", duplicates},
            {"corrupt", corrupt},
            {"unexpected", unexpected},
            {"missing_examples", missing_examples}};
}

std::string IntegrityReport::summary() const {
    std::string text = fmt::format("{} accepted, {} delivered intact", accepted, delivered);
    if (missing) {
        text += fmt::format(", {} missing (e.g. #{})", missing, missing_examples.front());
    }
    if (duplicates)
        text += fmt::format(", {} duplicate copies", duplicates);
    if (corrupt)
        text += fmt::format(", {} corrupt", corrupt);
    if (unexpected)
        text += fmt::format(", {} never accepted", unexpected);
    return text;
}

IntegrityCheck::IntegrityCheck(std::string run_id, std::vector<std::uint64_t> accepted_sorted)
    : run_id_(std::move(run_id)),
      accepted_(std::move(accepted_sorted)),
      seen_(accepted_.size(), 0) {
    report_.accepted = accepted_.size();
}

namespace {

// The body after the first empty line, with LF line ends restored to CRLF.
std::string body_of(std::string_view text) {
    std::size_t at = text.find("\r\n\r\n");
    std::size_t skip = 4;
    const std::size_t lf = text.find("\n\n");
    if (lf != std::string_view::npos && (at == std::string_view::npos || lf < at))
        at = lf, skip = 2;
    if (at == std::string_view::npos)
        return {};
    const std::string_view body = text.substr(at + skip);
    std::string out;
    out.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
            out += '\r';
        out += body[i];
    }
    return out;
}

}  // namespace

void IntegrityCheck::message(std::string_view text) {
    const std::string prefix = std::string(kBenchHeader) + ": " + run_id_ + " ";
    const std::size_t at = text.find(prefix);
    if (at == std::string_view::npos)
        return;  // another run's mail
    std::string_view rest = text.substr(at + prefix.size());
    std::uint64_t sequence = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), sequence);
    const std::string_view digest_key = " sha256=";
    rest.remove_prefix(static_cast<std::size_t>(p - rest.data()));
    if (ec != std::errc() || rest.substr(0, digest_key.size()) != digest_key) {
        ++report_.corrupt;
        return;
    }
    const std::string_view digest = rest.substr(digest_key.size(), 64);
    const auto it = std::lower_bound(accepted_.begin(), accepted_.end(), sequence);
    if (it == accepted_.end() || *it != sequence) {
        ++report_.unexpected;
        return;
    }
    if (sha256_hex(body_of(text)) != digest) {
        ++report_.corrupt;
        return;
    }
    if (++seen_[static_cast<std::size_t>(it - accepted_.begin())] > 1)
        ++report_.duplicates;
}

IntegrityReport IntegrityCheck::finish() {
    report_.delivered = 0;
    report_.missing = 0;
    report_.missing_examples.clear();
    for (std::size_t i = 0; i < accepted_.size(); ++i) {
        if (seen_[i] > 0) {
            ++report_.delivered;
        } else {
            ++report_.missing;
            if (report_.missing_examples.size() < 10)
                report_.missing_examples.push_back(accepted_[i]);
        }
    }
    return report_;
}

IntegrityReport verify_maildir(const std::filesystem::path& dir, IntegrityCheck check) {
    const std::filesystem::path maildir =
        std::filesystem::exists(dir / "new") ? dir : dir / "Maildir";
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(maildir / sub, ec)) {
            std::ifstream in(entry.path(), std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            check.message(text.str());
        }
    }
    return check.finish();
}

IntegrityReport verify_pop3(const asio::ip::tcp::endpoint& endpoint, const Credentials& account,
                            IntegrityCheck check) {
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_verify_mode(asio::ssl::verify_none);  // a check of what was stored, not of the peer
    auto session = [&]() -> asio::awaitable<void> {
        AsyncConnection connection(io.get_executor(), tls);
        auto ok = [](const proto::pop3::ParsedResponse& r, const char* what) {
            if (r.status != proto::pop3::Status::ok)
                throw BenchFailure("-ERR", std::string(what) + ": " + r.status_line);
            return r;
        };
        co_await connection.connect(endpoint);
        ok(co_await connection.read_response(false), "greeting");
        // A server may refuse USER/PASS in the clear (the reference does): take STLS when CAPA
        // lists it (RFC 2449 5, RFC 2595 4). A server without CAPA answers -ERR: stay plain.
        co_await connection.write("CAPA\r\n");
        const auto capa = co_await connection.read_response(true);
        if (capa.status == proto::pop3::Status::ok && run::advertises(capa.body, "STLS")) {
            co_await connection.write("STLS\r\n");
            ok(co_await connection.read_response(false), "STLS");
            co_await connection.handshake();
        }
        co_await connection.write("USER " + account.user + "\r\n");
        ok(co_await connection.read_response(false), "USER");
        co_await connection.write("PASS " + account.password + "\r\n");
        ok(co_await connection.read_response(false), "PASS");
        co_await connection.write("STAT\r\n");
        const auto stat = ok(co_await connection.read_response(false), "STAT");
        const unsigned count = static_cast<unsigned>(std::stoul(stat.text));
        for (unsigned i = 1; i <= count; ++i) {
            co_await connection.write("RETR " + std::to_string(i) + "\r\n");
            const auto message = ok(co_await connection.read_response(true), "RETR");
            std::string text;
            for (const std::string& line : message.body)
                text += line + "\r\n";
            check.message(text);
        }
        co_await connection.write("QUIT\r\n");
        co_await connection.read_response(false);
    };
    auto done = asio::co_spawn(io, session(), asio::use_future);
    io.run();
    done.get();
    return check.finish();
}

}  // namespace mh::harness::bench
