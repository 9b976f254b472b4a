#include "reference/clients/fetch_client.hpp"

#include <charconv>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "proto/pop3/detail/md5.hpp"
#include "proto/pop3/response_parser.hpp"
#include "reference/clients/client_error.hpp"
#include "reference/clients/detail/response_reader.hpp"
#include "reference/clients/detail/sasl_client.hpp"
#include "reference/clients/detail/uidl_state.hpp"
#include "reference/store/maildir.hpp"

namespace mh::reference::clients {
namespace {

using proto::pop3::ParsedResponse;
using proto::pop3::Status;

struct Listed {
    std::size_t number = 0;
    std::string value;  // the size (LIST) or the unique id (UIDL)
};

// "n value" lines of a LIST or UIDL listing (RFC 1939 5, 7).
std::vector<Listed> parse_listing(const ParsedResponse& response, const char* command) {
    std::vector<Listed> out;
    for (const auto& line : response.body) {
        const auto space = line.find(' ');
        Listed entry;
        const auto [end, ec] =
            std::from_chars(line.data(), line.data() + std::min(space, line.size()), entry.number);
        if (space == std::string::npos || ec != std::errc{} || end != line.data() + space ||
            entry.number == 0) {
            throw ClientError(ExitCode::protocol, std::string("malformed ") + command +
                                                      " line from the server: " + line);
        }
        entry.value = line.substr(space + 1);
        out.push_back(std::move(entry));
    }
    return out;
}

// The text between '<' and '>' of the greeting, the APOP timestamp (RFC 1939 7).
std::optional<std::string> apop_timestamp(const std::string& greeting) {
    const auto open = greeting.find('<');
    const auto close = greeting.find('>', open);
    if (open == std::string::npos || close == std::string::npos) {
        return std::nullopt;
    }
    return greeting.substr(open, close - open + 1);
}

class Conversation {
  public:
    Conversation(const FetchOptions& options, FetchResult& result)
        : options_(options),
          result_(result),
          connection_(options.timeout),
          parser_(proto::pop3::ResponseParser::Limits{.grammar_line = 512,
                                                      .stored_line = options.max_message,
                                                      .body_bytes = options.max_message,
                                                      .diagnostics = 20}) {}

    void run() {
        connection_.connect(options_.host, options_.port);
        if (options_.tls == Pop3Tls::implicit) {
            connection_.start_tls(options_.host, options_.tls_settings);
        }
        const auto greeting = read(false);
        expect_ok(greeting, "the connection (greeting)");
        if (options_.tls == Pop3Tls::stls) {
            expect_ok(command("STLS", false), "STLS");
            connection_.start_tls(options_.host, options_.tls_settings);
        }
        login(greeting.text);
        if (options_.delete_after) {
            download_and_delete();
        } else {
            download_new();
        }
    }

  private:
    ParsedResponse read(bool body) {
        parser_.expect_body(body);
        return detail::read_reply(connection_, pending_, parser_,
                                  [](const auto& parser) { return parser.has_response(); });
    }

    ParsedResponse command(const std::string& line, bool body) {
        connection_.write(line + "\r\n");
        return read(body);
    }

    static void expect_ok(const ParsedResponse& response, const std::string& what) {
        if (response.status == Status::ok) {
            return;
        }
        const bool answered = response.status == Status::err;
        throw ClientError(answered ? ExitCode::refused : ExitCode::protocol,
                          "server refused " + what + ": " + response.status_line);
    }

    void login(const std::string& greeting) {
        const std::string who = " for " + options_.user;
        switch (options_.login) {
            case Pop3Login::user:
                expect_ok(command("USER " + options_.user, false), "USER" + who);
                expect_ok(command("PASS " + options_.password, false), "PASS" + who);
                return;
            case Pop3Login::apop: {
                const auto timestamp = apop_timestamp(greeting);
                if (!timestamp) {
                    throw ClientError(ExitCode::refused,
                                      "the greeting has no APOP timestamp: " + greeting);
                }
                const auto digest = proto::pop3::detail::md5_hex(*timestamp + options_.password);
                expect_ok(command("APOP " + options_.user + " " + digest, false), "APOP" + who);
                return;
            }
            case Pop3Login::plain: {
                // RFC 5034 4: the initial response saves a round trip.
                const auto token = detail::plain_response(options_.user, options_.password);
                expect_ok(command("AUTH PLAIN " + token, false), "AUTH PLAIN" + who);
                return;
            }
        }
    }

    std::string retrieve(std::size_t number) {
        const auto response = command("RETR " + std::to_string(number), true);
        expect_ok(response, "RETR " + std::to_string(number));
        if (response.cut_off) {
            throw ClientError(ExitCode::protocol,
                              "the connection closed during RETR " + std::to_string(number));
        }
        if (response.body_octets > options_.max_message) {
            throw ClientError(ExitCode::local, "message " + std::to_string(number) + " has " +
                                                   std::to_string(response.body_octets) +
                                                   " octets, over the --max-size limit");
        }
        // Stored as RETR delivered it, unstuffed, CRLF line ends (as the reference store does).
        std::string message;
        message.reserve(response.body_octets);
        for (const auto& line : response.body) {
            message += line;
            message += "\r\n";
        }
        return message;
    }

    // Written, fsynced and renamed into new/ (the Maildir convention) before this returns.
    void store(const std::string& message) {
        try {
            ensure_maildir(options_.maildir);
            StagedMessage staged(options_.maildir, "", message);
            staged.sync_file();
            staged.publish();
            sync_directory(staged.new_dir());
            result_.files.push_back(staged.new_dir() / staged.name());
        } catch (const std::exception& e) {
            throw ClientError(ExitCode::local,
                              "cannot write into " + options_.maildir.string() + ": " + e.what());
        }
        ++result_.downloaded;
    }

    void download_and_delete() {
        const auto listing = command("LIST", true);
        expect_ok(listing, "LIST");
        const auto messages = parse_listing(listing, "LIST");
        result_.on_server = messages.size();
        for (const auto& message : messages) {
            store(retrieve(message.number));
            expect_ok(command("DELE " + std::to_string(message.number), false),
                      "DELE " + std::to_string(message.number));
        }
        // RFC 1939 6: the deletions happen only now, in the UPDATE state.
        expect_ok(command("QUIT", false), "QUIT (the deletions are not committed)");
        result_.deleted = messages.size();
    }

    void download_new() {
        detail::UidlState state(
            options_.maildir / uidl_state_file,
            options_.user + "@" + options_.host + ":" + std::to_string(options_.port));
        const auto listing = command("UIDL", true);
        if (listing.status == Status::err) {
            throw ClientError(ExitCode::refused,
                              "keep mode needs UIDL, which the server refused: " +
                                  listing.status_line + " (use --delete)");
        }
        expect_ok(listing, "UIDL");
        const auto messages = parse_listing(listing, "UIDL");
        result_.on_server = messages.size();
        std::set<std::string> on_server;
        for (const auto& message : messages) {
            on_server.insert(message.value);
            if (state.contains(message.value)) {
                ++result_.skipped;
                continue;
            }
            store(retrieve(message.number));
            state.add(message.value);
        }
        command("QUIT", false);  // nothing to commit in keep mode
        state.retain_only(on_server);
    }

    const FetchOptions& options_;
    FetchResult& result_;
    detail::Connection connection_;
    proto::pop3::ResponseParser parser_;
    std::string pending_;
};

}  // namespace

FetchResult fetch_messages(const FetchOptions& options) {
    if (options.user.empty()) {
        throw ClientError(ExitCode::usage, "no user: give --user");
    }
    if (options.maildir.empty()) {
        throw ClientError(ExitCode::usage, "no local Maildir: give --maildir");
    }
    try {
        ensure_maildir(options.maildir);
    } catch (const std::exception& e) {
        throw ClientError(ExitCode::local, "cannot create the Maildir " + options.maildir.string() +
                                               ": " + e.what());
    }
    FetchResult result;
    Conversation(options, result).run();
    return result;
}

}  // namespace mh::reference::clients
