#include "harness/run/capabilities.hpp"

#include <algorithm>

#include "harness/run/channel.hpp"
#include "harness/run/matchers.hpp"

namespace mh::harness::run {

namespace {

using scenario::Protocol;

void add_unique(std::vector<std::string>& into, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        if (std::find(into.begin(), into.end(), line) == into.end()) {
            into.push_back(line);
        }
    }
}

bool positive(const Observation& observation) {
    if (observation.kind == Observation::Kind::reply) {
        return observation.reply.reply.code >= 200 && observation.reply.reply.code < 400;
    }
    return observation.kind == Observation::Kind::response &&
           observation.response.status == proto::pop3::Status::ok;
}

// Asks for the capability list (EHLO / CAPA); empty when the answer is negative.
std::vector<std::string> ask(Channel& channel, const std::string& domain,
                             scenario::Duration timeout) {
    const bool smtp = channel.protocol() == Protocol::smtp;
    channel.send(smtp ? "EHLO probe." + domain + "\r\n" : "CAPA\r\n",
                 transport::Clock::now() + timeout);
    const Observation answer = channel.observe(timeout);
    if (!positive(answer)) {
        return {};
    }
    if (smtp) {
        const auto& lines = answer.reply.reply.lines;
        return std::vector<std::string>(lines.begin() + 1, lines.end());
    }
    return answer.response.body;
}

EndpointProbe probe(Protocol protocol, const scenario::Endpoint& endpoint,
                    const scenario::TargetProfile& profile, scenario::Duration timeout,
                    std::stop_token stop) {
    EndpointProbe result;
    result.configured = true;
    transport::TranscriptRecorder transcript;
    Channel channel(protocol, transport::TlsSettings{profile.tls_verify, profile.tls_ca},
                    transcript, "probe", ChannelLimits{}, std::move(stop));
    const std::string domain = profile.domain.empty() ? "example.test" : profile.domain;
    try {
        channel.open(endpoint, transport::Clock::now() + timeout);
    } catch (const transport::TransportError& e) {
        result.problem = e.what();
        return result;
    }
    result.reachable = true;
    try {
        if (!positive(channel.observe(timeout))) {
            result.problem = "the greeting is not positive";
            return result;
        }
        result.keywords = ask(channel, domain, timeout);
        const bool smtp = protocol == Protocol::smtp;
        if (endpoint.tls == scenario::TlsMode::starttls &&
            advertises(result.keywords, smtp ? "STARTTLS" : "STLS")) {
            channel.send(smtp ? "STARTTLS\r\n" : "STLS\r\n", transport::Clock::now() + timeout);
            if (positive(channel.observe(timeout))) {
                channel.handshake(transport::Clock::now() + timeout);
                add_unique(result.keywords, ask(channel, domain, timeout));
            }
        }
        channel.send("QUIT\r\n", transport::Clock::now() + timeout);
    } catch (const transport::TransportError& e) {
        result.problem = e.what();
    }
    return result;
}

}  // namespace

Capabilities probe_capabilities(const scenario::TargetProfile& profile, scenario::Duration timeout,
                                std::stop_token stop) {
    Capabilities capabilities;
    if (profile.smtp) {
        capabilities.smtp = probe(Protocol::smtp, *profile.smtp, profile, timeout, stop);
    }
    if (profile.pop3) {
        capabilities.pop3 = probe(Protocol::pop3, *profile.pop3, profile, timeout, stop);
    }
    return capabilities;
}

std::string first_missing(const std::vector<std::string>& requires_list,
                          const EndpointProbe& probe) {
    for (const auto& keyword : requires_list) {
        if (!advertises(probe.keywords, keyword)) {
            return keyword;
        }
    }
    return {};
}

}  // namespace mh::harness::run
