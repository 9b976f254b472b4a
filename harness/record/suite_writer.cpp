#include "harness/record/suite_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/run/wire.hpp"
#include "proto/smtp/data_framing.hpp"

namespace mh::harness::record {

namespace {

// The password a recorded refusal is replayed with: the recorded one is never kept, and the
// profile's would be accepted.
constexpr std::string_view wrong_password = "not-the-recorded-password";

bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = byte < 0x80           ? 1
                             : (byte >> 5) == 0x6  ? 2
                             : (byte >> 4) == 0xe  ? 3
                             : (byte >> 3) == 0x1e ? 4
                                                   : 0;
        if (length == 0 || i + length > text.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

bool printable_line(std::string_view line) {
    return valid_utf8(line) && std::none_of(line.begin(), line.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
           });
}

class Writer {
  public:
    explicit Writer(const SuiteHeader& header) : header_(header) {}

    std::string variables_block() const {
        if (accounts_.empty()) {
            return "";
        }
        std::string out = "variables:  # accounts the sessions logged in as\n";
        for (std::size_t i = 0; i < accounts_.size(); ++i) {
            out += fmt::format("  login{}: {}\n", i + 1, yaml_quoted(accounts_[i]));
        }
        return out;
    }

    std::string case_block(const Session& session, std::size_t number) {
        std::string out = fmt::format("  - id: session-{}\n", number);
        out += fmt::format("    title: {}\n",
                           yaml_quoted(fmt::format("{} session {} recorded from {}",
                                                   protocol_name(), number, header_.upstream)));
        out += "    tags: [recorded]\n";
        for (const auto& note : session.notes) {
            out += "    # note: " + comment(note) + "\n";
        }
        if (!session.truncated.empty()) {
            out += "    # note: recording stopped early: " + comment(session.truncated) + "\n";
        }
        out += "    steps:\n";
        for (const auto& step : session.steps) {
            out += std::visit([this](const auto& s) { return this->step(s); }, step);
        }
        return out;
    }

  private:
    std::string protocol_name() const {
        return header_.protocol == scenario::Protocol::smtp ? "SMTP" : "POP3";
    }

    static std::string comment(std::string_view text) {
        std::string out;
        for (char c : text) {
            out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
        return out;
    }

    std::string variable_for(const std::string& account) {
        auto it = std::find(accounts_.begin(), accounts_.end(), account);
        if (it == accounts_.end()) {
            accounts_.push_back(account);
            it = accounts_.end() - 1;
        }
        return fmt::format("${{login{}}}", it - accounts_.begin() + 1);
    }

    std::string step(const SendLines& send) const {
        const bool printable = std::all_of(send.lines.begin(), send.lines.end(), printable_line);
        if (!printable) {
            std::string bytes;
            for (const auto& line : send.lines) {
                bytes += line + "\r\n";
            }
            return "      - send: {raw: " + run::quote_raw(bytes) + "}\n";
        }
        if (send.lines.size() == 1) {
            return "      - send: " + yaml_quoted(send.lines.front()) + "\n";
        }
        std::string out = "      - send: {lines: [";
        for (std::size_t i = 0; i < send.lines.size(); ++i) {
            out += (i == 0 ? "" : ", ") + yaml_quoted(send.lines[i]);
        }
        return out + "]}\n";
    }
    std::string step(const SendData& data) const {
        const auto flags_clean = [&] {
            proto::smtp::ContentSink sink(data.content.size() + 1, 1u << 30);
            sink.append(data.content);
            return sink.flags().line_ends_clean() && valid_utf8(data.content);
        };
        if (flags_clean()) {  // the runner restores CRLFs and dot-stuffing
            return "      - send: {data: " + yaml_quoted(data.content) + "}\n";
        }
        return "      - send: {raw: " + run::quote_raw(proto::smtp::frame_data(data.content)) +
               "}\n";
    }
    std::string step(const SendBytes& bytes) const {
        return fmt::format(
            "      - send: {{bytes: {}}}  # content over the record limit, replayed as generated "
            "octets\n",
            bytes.bytes);
    }
    std::string step(const SendRaw& raw) const {
        return "      - send: {raw: " + run::quote_raw(raw.bytes) + "}\n";
    }
    std::string step(const StartTls&) const { return "      - starttls: {}\n"; }
    std::string step(const Login& login) {
        std::string out = fmt::format("      - auth: {{mechanism: {}, account: {}", login.mechanism,
                                      yaml_quoted(variable_for(login.account)));
        if (!login.succeed) {
            out += ", password: " + yaml_quoted(wrong_password) + ", succeed: false";
        }
        return out + "}\n";
    }
    std::string step(const ExpectReply& expect) const {
        std::string out;
        for (const auto& note : expect.notes) {
            out += "      # the reply broke the grammar: " + comment(note) + "\n";
        }
        std::vector<std::string> fields;
        if (header_.protocol == scenario::Protocol::smtp) {
            fields.push_back("code: " + expect.status);
            if (!expect.enhanced.empty()) {
                fields.push_back("enhanced: " + yaml_quoted(expect.enhanced));
            }
        } else if (expect.status != "invalid") {
            fields.push_back("status: " + yaml_quoted(expect.status));
        }
        fields.push_back("text: " + yaml_quoted(expect.text_pattern));
        if (expect.multiline) {
            fields.push_back("multiline: true");
        }
        if (expect.body_lines) {
            fields.push_back(fmt::format("body: {{lines: {}}}", *expect.body_lines));
        }
        out += "      - expect: {";
        for (std::size_t i = 0; i < fields.size(); ++i) {
            out += (i == 0 ? "" : ", ") + fields[i];
        }
        return out + "}\n";
    }

    const SuiteHeader& header_;
    std::vector<std::string> accounts_;
};

}  // namespace

std::string yaml_quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02X}", byte);
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string write_suite(const SuiteHeader& header, const std::vector<Session>& sessions) {
    Writer writer(header);
    std::string cases;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        cases += writer.case_block(sessions[i], i + 1);
    }
    const char* protocol = header.protocol == scenario::Protocol::smtp ? "smtp" : "pop3";
    std::string out = fmt::format(
        "# Recorded by mailharness record {} through a proxy to {} ({}).\n"
        "# Replies are expected as observed; host names, dates, ids and <...@...> tokens are\n"
        "# patterns. Logins are auth: steps: the target profile supplies the passwords.\n"
        "suite: {}\nprotocol: {}\n",
        header.tool_version, header.upstream, protocol, header.suite_id, protocol);
    out += "description: " +
           yaml_quoted(
               fmt::format("Sessions recorded from {} by mailharness record", header.upstream)) +
           "\n";
    out += writer.variables_block();
    out += "cases:\n" + cases;
    return out;
}

}  // namespace mh::harness::record
