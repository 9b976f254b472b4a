#include "harness/fuzz/seeds.hpp"

#include <algorithm>
#include <type_traits>

#include "harness/run/case_runner.hpp"
#include "harness/run/wire.hpp"
#include "harness/scenario/variables.hpp"
#include "proto/sasl/base64.hpp"

namespace mh::harness::fuzz {

namespace {

namespace sc = scenario;

struct StopCase {};  // the case needs something a seed cannot have

class SeedBuilder {
  public:
    SeedBuilder(const sc::Suite& suite, const sc::TargetProfile& profile)
        : suite_(suite), profile_(profile) {}

    std::vector<Turn> turns(const sc::Case& c) {
        std::vector<Turn> out;
        try {
            for (const sc::Step& step : c.steps) {
                if (step.on && *step.on != "default") {
                    break;
                }
                std::visit([&](const auto& action) { add(action, out); }, step.action);
            }
        } catch (const StopCase&) {
        } catch (const sc::UndefinedVariable&) {
        }
        return out;
    }

  private:
    void add(const sc::Send& send, std::vector<Turn>& out) {
        out.push_back(Turn{Turn::Kind::send, wire(send), {}});
    }
    void add(const sc::StartTls&, std::vector<Turn>& out) {
        const char* verb = suite_.protocol == sc::Protocol::smtp ? "STARTTLS\r\n" : "STLS\r\n";
        out.push_back(Turn{Turn::Kind::starttls, verb, {}});
    }
    void add(const sc::Auth& auth, std::vector<Turn>& out) {
        const sc::Account* account = profile_.find_account(text(auth.account));
        if (account == nullptr) {
            throw StopCase{};
        }
        const std::string password = auth.password ? text(*auth.password) : account->password;
        for (std::string& line :
             login_lines(suite_.protocol, auth.mechanism, account->user, password)) {
            out.push_back(Turn{Turn::Kind::send, std::move(line), {}});
        }
    }
    void add(const sc::Expectation&, std::vector<Turn>&) {}
    void add(const sc::Sleep&, std::vector<Turn>&) {}
    void add(const sc::Capture&, std::vector<Turn>&) { throw StopCase{}; }
    void add(const sc::Tls&, std::vector<Turn>&) { throw StopCase{}; }
    void add(const sc::Connect&, std::vector<Turn>&) { throw StopCase{}; }
    void add(const sc::Switch&, std::vector<Turn>&) { throw StopCase{}; }
    void add(const sc::Deliver&, std::vector<Turn>&) { throw StopCase{}; }

    std::string wire(const sc::Send& send) {
        return std::visit(
            [&](const auto& form) -> std::string {
                using T = std::decay_t<decltype(form)>;
                if constexpr (std::is_same_v<T, sc::SendLine>) {
                    std::string out;
                    const std::string line = text(form.text) + "\r\n";
                    for (std::size_t i = 0; i < form.repeat && out.size() < (1u << 20); ++i) {
                        out += line;
                    }
                    return out;
                } else if constexpr (std::is_same_v<T, sc::SendRaw>) {
                    return run::decode_escapes(text(form.text));
                } else if constexpr (std::is_same_v<T, sc::SendLines>) {
                    std::string out;
                    for (const auto& line : form.lines) {
                        out += text(line) + "\r\n";
                    }
                    return out;
                } else if constexpr (std::is_same_v<T, sc::SendData>) {
                    if (form.file) {
                        throw StopCase{};
                    }
                    return run::data_payload(text(form.text));
                } else {
                    return run::generated_payload(form.bytes, form.line_length);
                }
            },
            send);
    }

    std::string text(const std::string& written) {
        return sc::substitute(written, [&](const std::string& name) -> std::optional<std::string> {
            if (name == "case_id" || name == "unique") {
                return "fuzz";
            }
            if (auto value = run::builtin_variable(name, profile_)) {
                return value;
            }
            for (const auto& [variable, value] : suite_.variables) {
                if (variable == name) {
                    return text(value);
                }
            }
            return std::nullopt;
        });
    }

  public:
    static std::vector<std::string> login_lines(sc::Protocol protocol, sc::Mechanism mechanism,
                                                const std::string& user,
                                                const std::string& password) {
        using proto::sasl::base64_encode;
        const bool pop3 = protocol == sc::Protocol::pop3;
        if (mechanism == sc::Mechanism::login && !pop3) {
            return {"AUTH LOGIN\r\n", base64_encode(user) + "\r\n",
                    base64_encode(password) + "\r\n"};
        }
        if (pop3 && (mechanism == sc::Mechanism::user || mechanism == sc::Mechanism::apop)) {
            return {"USER " + user + "\r\n", "PASS " + password + "\r\n"};
        }
        // PLAIN, and CRAM-MD5 as PLAIN: a seed cannot answer a challenge it has not seen.
        return {"AUTH PLAIN " + base64_encode(std::string(1, '\0') + user + '\0' + password) +
                "\r\n"};
    }

  private:
    const sc::Suite& suite_;
    const sc::TargetProfile& profile_;
};

bool logs_in(const std::vector<Turn>& turns) {
    for (const Turn& turn : turns) {
        if (turn.kind == Turn::Kind::starttls || turn.bytes.starts_with("AUTH") ||
            turn.bytes.starts_with("USER")) {
            return true;
        }
    }
    return false;
}

}  // namespace

sc::TargetProfile with_first_account(sc::TargetProfile profile, std::size_t first) {
    if (!profile.accounts.empty()) {
        const auto shift = static_cast<std::ptrdiff_t>(first % profile.accounts.size());
        std::rotate(profile.accounts.begin(), profile.accounts.begin() + shift,
                    profile.accounts.end());
    }
    return profile;
}

std::vector<Turn> login_prefix(sc::Protocol protocol, const sc::TargetProfile& profile,
                               const TargetTraits& traits) {
    std::vector<Turn> out;
    const bool smtp = protocol == sc::Protocol::smtp;
    const std::string hello = "EHLO fuzz.example.test\r\n";
    if (smtp) {
        out.push_back(Turn{Turn::Kind::send, hello, {}});
    }
    if (traits.tls_offered) {
        out.push_back(Turn{Turn::Kind::starttls, smtp ? "STARTTLS\r\n" : "STLS\r\n", {}});
        if (smtp) {
            out.push_back(Turn{Turn::Kind::send, hello, {}});
        }
    } else if (!traits.login_before_tls) {
        return out;
    }
    if (!profile.accounts.empty()) {
        const auto& account = profile.accounts.front();
        const auto mechanism = smtp ? sc::Mechanism::plain : sc::Mechanism::user;
        for (std::string& line :
             SeedBuilder::login_lines(protocol, mechanism, account.user, account.password)) {
            out.push_back(Turn{Turn::Kind::send, std::move(line), {}});
        }
    }
    return out;
}

std::vector<Conversation> seeds_from_suites(const std::vector<sc::Suite>& suites,
                                            const sc::TargetProfile& profile, sc::Protocol protocol,
                                            const TargetTraits& traits) {
    std::vector<Conversation> out;
    const std::vector<Turn> prefix = login_prefix(protocol, profile, traits);
    for (const sc::Suite& suite : suites) {
        if (suite.protocol != protocol) {
            continue;
        }
        SeedBuilder builder(suite, profile);
        for (const sc::Case& c : suite.cases) {
            std::vector<Turn> turns = builder.turns(c);
            if (turns.empty()) {
                continue;
            }
            const std::string origin = suite.id + "/" + c.id;
            if (!logs_in(turns) && !prefix.empty()) {
                Conversation logged_in{protocol, origin + "+login", prefix, false};
                logged_in.turns.insert(logged_in.turns.end(), turns.begin(), turns.end());
                out.push_back(std::move(logged_in));
            }
            out.push_back(Conversation{protocol, origin, std::move(turns), false});
        }
    }
    return out;
}

}  // namespace mh::harness::fuzz
