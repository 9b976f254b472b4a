#include "harness/run/case_runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "harness/run/channel.hpp"
#include "harness/run/deliver.hpp"
#include "harness/run/login.hpp"
#include "harness/run/matchers.hpp"
#include "harness/run/wire.hpp"
#include "harness/scenario/variables.hpp"

namespace mh::harness::run {

namespace {

using namespace scenario;

// A step did not get what it expected: the case fails.
struct StepFailure {
    std::string message;
    std::string expected;
    std::string actual;
};

// The harness cannot run the case (bad account name, unreadable file, failed delivery).
struct HarnessProblem {
    std::string message;
};

std::string read_text_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw HarnessProblem{"cannot read " + file.string()};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string unique_token() {
    static std::atomic<unsigned> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    std::ostringstream out;
    out << std::hex << now << "." << counter++;
    return out.str();
}

// Whether an expectation is met by silence, so the step mostly waits (any of its forms).
bool allows_silence(const Expectation& expectation) {
    if (std::holds_alternative<SilenceExpect>(expectation.form)) {
        return true;
    }
    const auto* any = std::get_if<AnyExpect>(&expectation.form);
    return any != nullptr &&
           std::any_of(any->alternatives.begin(), any->alternatives.end(), allows_silence);
}

// Holds the case's job slot free for the life of the object.
class IdleSpan {
  public:
    explicit IdleSpan(IdleWaits* idle) : idle_(idle) {
        if (idle_ != nullptr) {
            idle_->begin();
        }
    }
    ~IdleSpan() {
        if (idle_ != nullptr) {
            idle_->end();
        }
    }
    IdleSpan(const IdleSpan&) = delete;
    IdleSpan& operator=(const IdleSpan&) = delete;

  private:
    IdleWaits* idle_;
};

void throw_if_stopped(const std::stop_token& stop) {
    if (stop.stop_requested()) {
        throw transport::TransportError(transport::TransportError::Kind::stopped,
                                        "stopped (interrupted)");
    }
}

std::size_t account_index(const std::string& name, std::string_view prefix) {
    return static_cast<std::size_t>(std::stoul(name.substr(prefix.size())));
}

class CaseExecution {
  public:
    CaseExecution(const Suite& suite, const Case& kase, const TargetProfile& profile,
                  std::stop_token stop, IdleWaits* idle)
        : suite_(suite),
          case_(kase),
          profile_(profile),
          stop_(std::move(stop)),
          idle_(idle),
          unique_(unique_token()) {}

    void run(CaseResult& result);

  private:
    void execute(const Step& step, Duration timeout);
    void send(const Send& send, Channel& channel, Duration timeout);
    void expect(const Expectation& expectation, Channel& channel, Duration timeout);
    void capture(const Capture& capture, Channel& channel);
    void start_tls(Channel& channel, Duration timeout);
    void auth(const Auth& auth, Channel& channel, Duration timeout);
    void deliver_step(const Deliver& step, Duration timeout);
    void sleep(Duration duration);
    Channel& channel_for(const Step& step, Duration timeout);
    std::unique_ptr<Channel> open_channel(const std::string& name, Duration timeout);
    const Account& account(const std::string& written);
    std::string text(const std::string& written);
    std::optional<std::string> lookup(const std::string& name, int depth);

    const Suite& suite_;
    const Case& case_;
    const TargetProfile& profile_;
    std::stop_token stop_;
    IdleWaits* idle_;
    std::string unique_;
    transport::TranscriptRecorder transcript_;
    std::map<std::string, std::unique_ptr<Channel>> channels_;
    std::string current_ = "default";
    std::map<std::string, std::string> captures_;
};

void CaseExecution::run(CaseResult& result) {
    const auto& steps = case_.steps;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Step& step = steps[i];
        const Duration timeout = step.timeout.value_or(case_.timeout);
        try {
            throw_if_stopped(stop_);
            execute(step, timeout);
            continue;
        } catch (const StepFailure& failure) {
            result.outcome = Outcome::fail;
            result.message = failure.message;
            result.expected = failure.expected;
            result.actual = failure.actual;
        } catch (const transport::TransportError& e) {
            using Kind = transport::TransportError::Kind;
            const bool harness_side = e.kind() == Kind::refused || e.kind() == Kind::unreachable ||
                                      e.kind() == Kind::tls || e.kind() == Kind::stopped;
            result.outcome = harness_side ? Outcome::error : Outcome::fail;
            result.message = e.kind() == Kind::stopped
                                 ? "interrupted (Ctrl-C) before the case finished"
                                 : e.what();
        } catch (const UndefinedVariable& e) {
            result.outcome = Outcome::skip;
            result.message = std::string("not applicable to this target: ") + e.what();
        } catch (const HarnessProblem& problem) {
            result.outcome = Outcome::error;
            result.message = problem.message;
        } catch (const DeliveryError& e) {
            result.outcome = Outcome::error;
            result.message = e.what();
        } catch (const std::exception& e) {
            result.outcome = Outcome::error;
            result.message = std::string("harness error: ") + e.what();
        }
        result.failed_step = i;
        result.message = "step " + std::to_string(i + 1) + " (" + step.position.file + ":" +
                         std::to_string(step.position.line) + "): " + result.message;
        break;
    }
    if (!result.failed_step) {
        result.outcome = Outcome::pass;
    }
    for (auto& [name, channel] : channels_) {
        channel->close();
    }
    result.transcript = transcript_.take();
}

void CaseExecution::execute(const Step& step, Duration timeout) {
    std::visit(
        [&](const auto& action) {
            using T = std::decay_t<decltype(action)>;
            if constexpr (std::is_same_v<T, Send>) {
                send(action, channel_for(step, timeout), timeout);
            } else if constexpr (std::is_same_v<T, Expectation>) {
                expect(action, channel_for(step, timeout), timeout);
            } else if constexpr (std::is_same_v<T, Capture>) {
                capture(action, channel_for(step, timeout));
            } else if constexpr (std::is_same_v<T, StartTls>) {
                start_tls(channel_for(step, timeout), timeout);
            } else if constexpr (std::is_same_v<T, Tls>) {
                channel_for(step, timeout).handshake(transport::Clock::now() + timeout);
            } else if constexpr (std::is_same_v<T, Auth>) {
                auth(action, channel_for(step, timeout), timeout);
            } else if constexpr (std::is_same_v<T, Connect>) {
                channels_[action.name] = open_channel(action.name, timeout);
            } else if constexpr (std::is_same_v<T, Switch>) {
                current_ = action.connection;
            } else if constexpr (std::is_same_v<T, Sleep>) {
                sleep(action.duration);
            } else if constexpr (std::is_same_v<T, Deliver>) {
                deliver_step(action, timeout);
            }
        },
        step.action);
}

std::unique_ptr<Channel> CaseExecution::open_channel(const std::string& name, Duration timeout) {
    const auto& endpoint = suite_.protocol == Protocol::smtp ? profile_.smtp : profile_.pop3;
    auto channel = std::make_unique<Channel>(
        suite_.protocol, transport::TlsSettings{profile_.tls_verify, profile_.tls_ca}, transcript_,
        name == "default" ? "" : name, ChannelLimits{}, stop_);
    channel->open(*endpoint, transport::Clock::now() + timeout);
    return channel;
}

Channel& CaseExecution::channel_for(const Step& step, Duration timeout) {
    const std::string name = step.on.value_or(current_);
    auto found = channels_.find(name);
    if (found == channels_.end()) {  // only the default connection opens on first use
        found = channels_.emplace(name, open_channel(name, timeout)).first;
    }
    return *found->second;
}

void CaseExecution::send(const Send& send, Channel& channel, Duration timeout) {
    const std::string bytes = std::visit(
        [&](const auto& form) -> std::string {
            using T = std::decay_t<decltype(form)>;
            if constexpr (std::is_same_v<T, SendLine>) {
                const std::string line = text(form.text) + "\r\n";
                std::string out;
                out.reserve(line.size() * form.repeat);
                for (std::size_t i = 0; i < form.repeat; ++i) {
                    out += line;
                }
                return out;
            } else if constexpr (std::is_same_v<T, SendRaw>) {
                return decode_escapes(text(form.text));
            } else if constexpr (std::is_same_v<T, SendLines>) {
                std::string out;
                for (const auto& line : form.lines) {
                    out += text(line) + "\r\n";
                }
                return out;
            } else if constexpr (std::is_same_v<T, SendData>) {
                return data_payload(text(form.file ? read_text_file(*form.file) : form.text));
            } else {
                return generated_payload(form.bytes, form.line_length);
            }
        },
        send);
    channel.send(bytes, transport::Clock::now() + timeout);
}

void CaseExecution::expect(const Expectation& written, Channel& channel, Duration timeout) {
    const std::optional<Expectation> resolved =
        with_variables(written, [&](const std::string& name) { return lookup(name, 0); });
    const Expectation& expectation = resolved ? *resolved : written;
    std::optional<IdleSpan> idle;
    if (allows_silence(expectation)) {
        idle.emplace(idle_);
    }
    const Observation observation =
        channel.observe(wait_for(expectation, timeout), body_hint(expectation));
    idle.reset();
    const Verdict verdict = match(expectation, observation);
    if (!verdict.ok) {
        throw StepFailure{verdict.why, expectation.written, describe(observation)};
    }
}

void CaseExecution::capture(const Capture& capture, Channel& channel) {
    const std::string& last = channel.last_text();
    for (const auto& [name, written] : capture.names) {
        const Pattern pattern = with_variables(
            written, [&](const std::string& variable) { return lookup(variable, 0); });
        std::smatch match;
        if (!std::regex_search(last, match, *pattern.regex)) {
            throw StepFailure{
                "capture `" + name + "`: /" + pattern.source + "/ does not match the last answer",
                "/" + pattern.source + "/", transport::escape_bytes(last)};
        }
        captures_[name] = match[1].str();
        transcript_.note("captured " + name + " = \"" + captures_[name] + "\"", "");
    }
}

void CaseExecution::start_tls(Channel& channel, Duration timeout) {
    const bool smtp = channel.protocol() == Protocol::smtp;
    const std::string verb = smtp ? "STARTTLS" : "STLS";
    channel.send(verb + "\r\n", transport::Clock::now() + timeout);
    const Observation answer = channel.observe(timeout);
    const bool ready = smtp ? answer.kind == Observation::Kind::reply &&
                                  answer.reply.diagnostics.empty() && answer.reply.reply.code == 220
                            : answer.kind == Observation::Kind::response &&
                                  answer.response.diagnostics.empty() &&
                                  answer.response.status == proto::pop3::Status::ok;
    if (!ready) {
        throw StepFailure{verb + " was not accepted", smtp ? "220" : "+OK", describe(answer)};
    }
    channel.handshake(transport::Clock::now() + timeout);
}

void CaseExecution::auth(const Auth& auth, Channel& channel, Duration timeout) {
    const Account& user = account(auth.account);
    const std::string password = auth.password ? text(*auth.password) : user.password;
    const LoginOutcome outcome = log_in(channel, auth.mechanism, user.user, password, timeout);
    const bool ok = auth.succeed ? outcome.kind == LoginOutcome::Kind::accepted
                                 : outcome.kind == LoginOutcome::Kind::refused;
    if (!ok) {
        const std::string what = std::string(to_string(auth.mechanism)) + " login as " + user.user;
        throw StepFailure{what + (auth.succeed ? " was not accepted" : " was not refused"),
                          auth.succeed ? "accepted" : "refused", outcome.detail};
    }
}

void CaseExecution::deliver_step(const Deliver& step, Duration timeout) {
    Delivery delivery;
    const std::string to = text(step.to);
    delivery.account = profile_.find_account(to);
    if (!delivery.account && to.find('@') == std::string::npos) {
        throw HarnessProblem{"deliver: `" + to +
                             "` is neither an account of the target profile nor an address"};
    }
    delivery.address = delivery.account ? delivery.account->address : to;
    delivery.from = text(step.from);
    delivery.text = text(step.file ? read_text_file(*step.file) : step.text);
    deliver(profile_, delivery, timeout, transcript_, stop_);
}

void CaseExecution::sleep(Duration duration) {
    transcript_.note("sleep " + std::to_string(duration.count()) + " ms", "");
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    {
        const IdleSpan idle(idle_);
        wake.wait_for(lock, stop_, duration, [] { return false; });  // only a stop wakes it early
    }
    throw_if_stopped(stop_);
}

const Account& CaseExecution::account(const std::string& written) {
    const std::string name = text(written);
    if (const Account* found = profile_.find_account(name)) {
        return *found;
    }
    throw HarnessProblem{"account `" + name + "` is not in the target profile (" +
                         std::to_string(profile_.accounts.size()) + " accounts)"};
}

std::string CaseExecution::text(const std::string& written) {
    return substitute(written, [&](const std::string& name) { return lookup(name, 0); });
}

std::optional<std::string> CaseExecution::lookup(const std::string& name, int depth) {
    if (auto found = captures_.find(name); found != captures_.end()) {
        return found->second;
    }
    if (name == "case_id") {
        return suite_.id + "/" + case_.id;
    }
    if (name == "unique") {
        return unique_;
    }
    if (auto value = builtin_variable(name, profile_)) {
        return value;
    }
    for (const auto& [variable, value] : suite_.variables) {
        if (variable == name && depth < 8) {
            return substitute(value,
                              [&](const std::string& inner) { return lookup(inner, depth + 1); });
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> builtin_variable(const std::string& name, const TargetProfile& profile) {
    const auto need = [&](bool present, const std::string& what) {
        if (!present) {
            throw UndefinedVariable("${" + name + "} needs " + what +
                                    ", which the target profile does not set");
        }
    };
    if (name == "domain") {
        need(!profile.domain.empty(), "`domain`");
        return profile.domain;
    }
    if (name == "foreign_address") {
        need(!profile.foreign_address.empty(), "`foreign_address`");
        return profile.foreign_address;
    }
    if (name == "max_message_size") {
        need(profile.max_message_size.has_value(), "`limits: {max_message_size}`");
        return std::to_string(*profile.max_message_size);
    }
    if (name == "smtp_host" || name == "smtp_port") {
        need(profile.smtp.has_value(), "an `smtp` endpoint");
        return name == "smtp_host" ? profile.smtp->host : std::to_string(profile.smtp->port);
    }
    if (name == "pop3_host" || name == "pop3_port") {
        need(profile.pop3.has_value(), "a `pop3` endpoint");
        return name == "pop3_host" ? profile.pop3->host : std::to_string(profile.pop3->port);
    }
    for (std::string_view prefix : {"user", "address", "password"}) {
        if (name.starts_with(prefix) && is_builtin_variable(name)) {
            const std::size_t index = account_index(name, prefix);
            need(index <= profile.accounts.size(), std::to_string(index) + " accounts");
            const Account& account = profile.accounts[index - 1];
            return prefix == "user"      ? account.user
                   : prefix == "address" ? account.address
                                         : account.password;
        }
    }
    return std::nullopt;
}

CaseResult run_case(const Suite& suite, const Case& kase, const TargetProfile& profile,
                    const Capabilities& capabilities, std::stop_token stop, IdleWaits* idle) {
    CaseResult result;
    result.suite = suite.id;
    result.id = kase.id;
    result.title = kase.title;
    result.spec = kase.spec;
    result.ref = kase.ref;
    result.level = kase.level;
    result.tags = kase.tags;
    const auto started = transport::Clock::now();
    const EndpointProbe& probe = capabilities.of(suite.protocol);
    const auto& endpoint = suite.protocol == Protocol::smtp ? profile.smtp : profile.pop3;
    if (!endpoint) {
        result.outcome = Outcome::skip;
        result.message =
            std::string("the target profile has no ") + to_string(suite.protocol) + " endpoint";
    } else if (!probe.reachable) {
        result.outcome = Outcome::error;
        result.message = "target unreachable: " + probe.problem;
    } else if (const std::string missing = first_missing(kase.requires_, probe); !missing.empty()) {
        result.outcome = Outcome::skip;
        result.message = "the target does not advertise " + missing +
                         (suite.protocol == Protocol::smtp ? " (EHLO)" : " (CAPA)");
    } else {
        CaseExecution(suite, kase, profile, std::move(stop), idle).run(result);
    }
    result.duration_ms =
        std::chrono::duration<double, std::milli>(transport::Clock::now() - started).count();
    return result;
}

}  // namespace mh::harness::run
