#pragma once
// The reference model: the protocol core's own session machine (proto/smtp/session.hpp,
// proto/pop3/session.hpp) run in-process on the same bytes the fuzzer sends, with the target
// profile's domain and accounts. It predicts how many replies each turn gets and with which
// code, which lets the fuzzer tell a hang from a finished turn, and says what the bytes mean
// (how many end-of-data sequences there are: the acceptance oracle's reference).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/seeds.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"

namespace mh::harness::fuzz {

// A predicted reply: the SMTP code ("250") or the POP3 status ("+OK", "-ERR", "+").
using PredictedReply = std::string;

class ReferenceModel {
  public:
    static std::unique_ptr<ReferenceModel> make(scenario::Protocol protocol,
                                                const scenario::TargetProfile& profile,
                                                const TargetTraits& traits);
    virtual ~ReferenceModel() = default;

    // The greeting.
    virtual std::vector<PredictedReply> start() = 0;
    // The replies these client bytes get, in order.
    virtual std::vector<PredictedReply> put(std::string_view bytes) = 0;
    // The machine asked for the TLS handshake (after STARTTLS / STLS) and waits for it.
    virtual bool tls_requested() const = 0;
    // Bytes of the last put() followed the command that asked for TLS (plaintext injection).
    bool bytes_behind_tls_request() const { return bytes_behind_tls_request_; }
    virtual void tls_established() = 0;
    virtual bool closed() const = 0;

  protected:
    bool bytes_behind_tls_request_ = false;
};

}  // namespace mh::harness::fuzz
