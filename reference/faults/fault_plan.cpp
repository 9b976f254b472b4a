#include "reference/faults/fault_plan.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "reference/config/yaml_reader.hpp"

namespace mh::reference {
namespace {

using config_detail::Reader;

std::string upper(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string position(const std::string& name, const YAML::Node& node) {
    return name + ":" + std::to_string(node.Mark().line + 1) + ":" +
           std::to_string(node.Mark().column + 1);
}

FaultRule read_rule(const Reader& r, const YAML::Node& node, const std::string& name) {
    r.expect_map(node, "a fault",
                 {"protocol", "command", "action", "reply", "delay_ms", "probability", "nth"});
    FaultRule rule;
    rule.where = position(name, node);
    if (node["protocol"]) {
        const std::string protocol = r.string(node["protocol"], "protocol");
        if (protocol == "smtp") {
            rule.protocol = FaultProtocol::smtp;
        } else if (protocol == "pop3") {
            rule.protocol = FaultProtocol::pop3;
        } else {
            r.fail(node["protocol"], "protocol must be 'smtp' or 'pop3' (leave it out for both)");
        }
    }
    if (!node["command"]) {
        r.fail(node,
               "a fault needs 'command': a verb such as RCPT or RETR, '*', CONNECT or MESSAGE");
    }
    rule.command = upper(r.string(node["command"], "command"));
    if (rule.command == "BDAT") {
        r.fail(node["command"], "BDAT cannot be faulted (its chunk follows at once): use MESSAGE");
    }
    if (!node["action"]) {
        r.fail(node, "a fault needs 'action': reply, delay, disconnect or malformed");
    }
    const std::string action = r.string(node["action"], "action");
    if (action == "reply") {
        rule.action = FaultAction::reply;
    } else if (action == "delay") {
        rule.action = FaultAction::delay;
    } else if (action == "disconnect") {
        rule.action = FaultAction::disconnect;
    } else if (action == "malformed") {
        rule.action = FaultAction::malformed;
    } else {
        r.fail(node["action"], "action must be reply, delay, disconnect or malformed");
    }
    if (node["reply"]) {
        rule.reply = r.string(node["reply"], "reply");
    }
    if (rule.action == FaultAction::reply) {
        if (rule.reply.empty()) {
            r.fail(node, "action: reply needs 'reply', e.g. reply: \"451 4.3.0 Try later\"");
        }
        if (!rule.reply.ends_with("\r\n")) {
            rule.reply += "\r\n";
        }
    } else if (rule.action == FaultAction::malformed && rule.reply.empty()) {
        rule.reply = "2x0 malformed reply\n";  // no valid code, bare LF
    } else if (rule.action != FaultAction::malformed && node["reply"]) {
        r.fail(node["reply"], "'reply' is only for action: reply or malformed");
    }
    if (node["delay_ms"]) {
        rule.delay = std::chrono::milliseconds(r.number(node["delay_ms"], "delay_ms", 0, 3600000));
    } else if (rule.action == FaultAction::delay) {
        r.fail(node, "action: delay needs 'delay_ms', e.g. delay_ms: 2000");
    }
    if (node["probability"]) {
        const std::string text = r.string(node["probability"], "probability");
        std::istringstream in(text);
        double p = -1;
        in >> p;
        if (!in || !in.eof() || p < 0 || p > 1) {
            r.fail(node["probability"], "probability must be a number from 0 to 1, e.g. 0.25");
        }
        rule.probability = p;
    }
    if (node["nth"]) {
        rule.nth = static_cast<unsigned>(r.number(node["nth"], "nth", 1, 1000000));
    }
    return rule;
}

}  // namespace

FaultPlan parse_fault_plan(std::string_view yaml, const std::string& name) {
    Reader r(name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        r.fail(e.mark, e.msg);
    }
    FaultPlan plan;
    try {
        r.expect_map(root, "the fault file", {"seed", "faults"});
        if (root["seed"]) {
            plan.seed = r.number(root["seed"], "seed", 0, UINT64_MAX);
        }
        if (!root["faults"] || !root["faults"].IsSequence()) {
            r.fail(root["faults"] ? root["faults"] : root, "'faults' must be a list of faults");
        }
        for (const auto& node : root["faults"]) {
            plan.rules.push_back(read_rule(r, node, name));
        }
    } catch (const YAML::Exception& e) {
        r.fail(e.mark, e.msg);
    }
    return plan;
}

FaultPlan load_fault_plan(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ConfigError(file.string() + ": cannot open the fault file");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_fault_plan(text.str(), file.string());
}

}  // namespace mh::reference
