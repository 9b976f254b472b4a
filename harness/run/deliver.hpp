#pragma once
// The `deliver:` step: puts a message into an account's mailbox before a POP3 case, through the
// target's SMTP side or, when the profile names a maildir (seed: {maildir: .../%u/...}), by
// writing the file directly (Maildir delivery: tmp/ then rename into new/).

#include <stdexcept>
#include <stop_token>
#include <string>

#include "harness/scenario/model.hpp"
#include "harness/scenario/target.hpp"
#include "harness/transport/transcript.hpp"

namespace mh::harness::run {

class DeliveryError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Delivery {
    const scenario::Account* account = nullptr;  // the profile's account, when `to` names one
    std::string address;                         // envelope recipient
    std::string from;
    std::string text;  // message, any line ends
};

// Throws DeliveryError naming the step that went wrong (and the server's answer), or
// transport::TransportError (Kind::stopped) on a stop request.
void deliver(const scenario::TargetProfile& profile, const Delivery& delivery,
             scenario::Duration timeout, transport::TranscriptRecorder& transcript,
             std::stop_token stop = {});

}  // namespace mh::harness::run
