#include "harness/fuzz/reference_model.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <variant>

#include "harness/run/channel.hpp"
#include "proto/pop3/memory_store.hpp"
#include "proto/pop3/response_parser.hpp"
#include "proto/pop3/session.hpp"
#include "proto/smtp/reply_parser.hpp"
#include "proto/smtp/session.hpp"
#include "proto/smtp/static_policy.hpp"

namespace mh::harness::fuzz {

namespace {

namespace sc = scenario;

// The bytes up to and including the first LF. The models feed a line at a time so that they
// see what follows a STARTTLS / STLS (the sessions discard it unseen).
std::string_view first_line(std::string_view bytes) {
    const std::size_t lf = bytes.find('\n');
    return lf == std::string_view::npos ? bytes : bytes.substr(0, lf + 1);
}

std::vector<proto::smtp::StaticPolicy::Account> policy_accounts(const sc::TargetProfile& profile) {
    std::vector<proto::smtp::StaticPolicy::Account> out;
    for (const auto& account : profile.accounts) {
        out.push_back({account.user, account.password});
    }
    return out;
}

// The reference's recipient policy: an account matches whatever the case of the address (its
// mailboxes are configured lower-case and matched loosely, reference/config/accounts.cpp; RFC
// 5321 2.4 leaves the local part's meaning to the server that owns it). StaticPolicy compares
// account names exactly: a campaign found RCPT TO:<bOb@example.test> accepted by the reference
// and refused by the model, so the 250 after its DATA looked like a smuggled message.
class ReferencePolicy : public proto::smtp::StaticPolicy {
  public:
    using StaticPolicy::StaticPolicy;
    proto::smtp::RecipientVerdict verify_recipient(std::string_view address,
                                                   bool authenticated) override {
        std::string lower(address);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return StaticPolicy::verify_recipient(lower, authenticated);
    }
};

class SmtpModel : public ReferenceModel {
  public:
    SmtpModel(const sc::TargetProfile& profile, const TargetTraits& traits)
        : policy_({profile.domain}, policy_accounts(profile)), session_(config(traits), policy_) {}

    std::vector<PredictedReply> start() override {
        session_.start();
        std::vector<PredictedReply> out;
        drain(out);
        return out;
    }

    std::vector<PredictedReply> put(std::string_view bytes) override {
        std::vector<PredictedReply> out;
        while (!bytes.empty() && !session_.closed() && !tls_requested_) {
            const std::size_t taken = session_.put(first_line(bytes));
            bytes.remove_prefix(taken);
            const bool delivered = drain(out);
            if (taken == 0 && !delivered) {
                break;
            }
        }
        drain(out);
        bytes_behind_tls_request_ = tls_requested_ && !bytes.empty();
        return out;
    }

    bool tls_requested() const override { return tls_requested_; }
    void tls_established() override {
        tls_requested_ = false;
        session_.tls_established();
    }
    bool closed() const override { return closed_; }

  private:
    static proto::smtp::SessionConfig config(const TargetTraits& traits) {
        proto::smtp::SessionConfig config;
        config.tls_available = traits.tls_offered;
        config.auth_requires_tls = !traits.login_before_tls;
        return config;
    }

    // Handles every pending event; true when a delivery completed (the machine may take more).
    bool drain(std::vector<PredictedReply>& out) {
        bool delivered = false;
        while (auto event = session_.next_event()) {
            if (auto* write = std::get_if<proto::smtp::WriteEvent>(&*event)) {
                std::string_view rest = write->bytes;
                while (!rest.empty()) {
                    rest.remove_prefix(parser_.put(rest));
                    if (parser_.has_reply()) {
                        out.push_back(std::to_string(parser_.take().reply.code));
                    }
                }
            } else if (std::holds_alternative<proto::smtp::StartTlsEvent>(*event)) {
                tls_requested_ = true;
            } else if (std::holds_alternative<proto::smtp::DeliverEvent>(*event)) {
                session_.delivery_done(proto::smtp::DeliveryStatus::stored);
                delivered = true;
            } else {
                closed_ = true;
            }
        }
        return delivered;
    }

    ReferencePolicy policy_;
    proto::smtp::Session session_;
    proto::smtp::ReplyParser parser_;
    bool tls_requested_ = false;
    bool closed_ = false;
};

class Pop3Model : public ReferenceModel {
  public:
    Pop3Model(const sc::TargetProfile& profile, const TargetTraits& traits)
        : session_(config(traits), store(profile)) {}

    std::vector<PredictedReply> start() override {
        session_.start();
        std::vector<PredictedReply> out;
        drain(out);
        return out;
    }

    std::vector<PredictedReply> put(std::string_view bytes) override {
        std::vector<PredictedReply> out;
        command_lines_.put(bytes, bodies_);  // as the runner's channel decides it
        while (!bytes.empty() && !closed_ && !tls_requested_) {
            const std::size_t taken = session_.put(first_line(bytes));
            bytes.remove_prefix(taken);
            drain(out);
            if (taken == 0) {
                break;
            }
        }
        bytes_behind_tls_request_ = tls_requested_ && !bytes.empty();
        return out;
    }

    bool tls_requested() const override { return tls_requested_; }
    void tls_established() override {
        tls_requested_ = false;
        session_.tls_established();
        // Lines sent in plaintext after STLS are dropped by the session, never answered.
        bodies_.clear();
        command_lines_.clear();
    }
    bool closed() const override { return closed_; }

  private:
    static proto::pop3::SessionConfig config(const TargetTraits& traits) {
        proto::pop3::SessionConfig config;
        config.tls_available = traits.tls_offered;
        config.login_requires_tls = !traits.login_before_tls;
        config.apop_timestamp = "<1.1@fuzz.example.test>";
        return config;
    }
    proto::pop3::MemoryStore& store(const sc::TargetProfile& profile) {
        for (const auto& account : profile.accounts) {
            store_.add_account(account.user, account.password);
        }
        return store_;
    }

    void drain(std::vector<PredictedReply>& out) {
        while (auto event = session_.next_event()) {
            if (auto* write = std::get_if<proto::pop3::WriteEvent>(&*event)) {
                std::string_view rest = write->bytes;
                while (!rest.empty()) {
                    if (!parser_.in_response()) {
                        parser_.expect_body(!bodies_.empty() && bodies_.front());
                    }
                    rest.remove_prefix(parser_.put(rest));
                    if (parser_.has_response()) {
                        out.push_back(proto::pop3::to_string(parser_.take().status));
                        if (greeted_ && !bodies_.empty()) {
                            bodies_.pop_front();
                        }
                        greeted_ = true;
                    }
                }
            } else if (std::holds_alternative<proto::pop3::StartTlsEvent>(*event)) {
                tls_requested_ = true;
            } else {
                closed_ = true;
            }
        }
    }

    proto::pop3::MemoryStore store_;  // before session_, which holds a reference to it
    proto::pop3::Session session_;
    proto::pop3::ResponseParser parser_;
    run::Pop3CommandLines command_lines_;
    std::deque<bool> bodies_;  // per command line sent: whether its answer is multi-line
    bool greeted_ = false;
    bool tls_requested_ = false;
    bool closed_ = false;
};

}  // namespace

std::unique_ptr<ReferenceModel> ReferenceModel::make(sc::Protocol protocol,
                                                     const sc::TargetProfile& profile,
                                                     const TargetTraits& traits) {
    if (protocol == sc::Protocol::smtp) {
        return std::make_unique<SmtpModel>(profile, traits);
    }
    return std::make_unique<Pop3Model>(profile, traits);
}

}  // namespace mh::harness::fuzz
