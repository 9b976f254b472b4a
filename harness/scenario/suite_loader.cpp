#include "harness/scenario/suite_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness/scenario/detail/yaml_reader.hpp"
#include "harness/scenario/variables.hpp"

namespace mh::harness::scenario {

namespace {

using detail::YamlReader;

constexpr std::string_view step_example = "- send: EHLO client.example.test";

bool valid_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::optional<CodePattern> code_pattern(std::string_view text) {
    if (text.size() != 3 || text[0] < '2' || text[0] > '5') {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < 3; ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        const bool wildcard = text[i] == 'x' || text[i] == 'X';
        if (!digit && !wildcard) {
            return std::nullopt;
        }
        // "2x0" would be odd: once a wildcard starts, the rest must be wildcards.
        if (digit && i == 2 && (text[1] == 'x' || text[1] == 'X')) {
            return std::nullopt;
        }
    }
    std::string digits(text);
    std::replace(digits.begin(), digits.end(), 'X', 'x');
    return CodePattern{digits};
}

bool is_pop3_status(std::string_view text) {
    return text == "+OK" || text == "-ERR" || text == "+";
}

class SuiteParser {
  public:
    SuiteParser(const std::string& file_name, std::filesystem::path base_dir)
        : reader_(file_name), base_dir_(std::move(base_dir)) {}

    SuiteLoad parse(std::string_view yaml);

  private:
    void parse_header(const YAML::Node& root);
    std::optional<Case> parse_case(const YAML::Node& node, std::set<std::string>& ids);
    // Appends the steps of `list` to `out`, expanding `use:` (fixtures may use fixtures).
    void parse_steps(const YAML::Node& list, std::vector<Step>& out,
                     std::vector<std::string>& using_stack);
    std::optional<Step> parse_step(const YAML::Node& node, std::vector<Step>& out,
                                   std::vector<std::string>& using_stack);
    std::optional<Send> parse_send(const YAML::Node& node);
    std::optional<Expectation> parse_expectation(const YAML::Node& node);
    std::optional<ReplyExpect> parse_reply_expect(const YAML::Node& node);
    std::optional<ResponseExpect> parse_response_expect(const YAML::Node& node);
    std::optional<Capture> parse_capture(const YAML::Node& node);
    std::optional<Auth> parse_auth(const YAML::Node& node);
    std::optional<Connect> parse_connect(const YAML::Node& node);
    std::optional<Deliver> parse_deliver(const YAML::Node& node);
    bool parse_message_text(const YAML::Node& node, std::string& text,
                            std::optional<std::filesystem::path>& file, std::string_view what);
    void check_case(Case& kase);
    void check_text(const std::string& text, const Position& at,
                    const std::set<std::string>& defined);

    YamlReader reader_;
    std::filesystem::path base_dir_;
    Suite suite_;
    std::vector<std::string> suite_requires_;
    Duration suite_timeout_{5000};
    YAML::Node fixtures_;
};

SuiteLoad SuiteParser::parse(std::string_view yaml) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        reader_.error(reader_.position(e.mark), "this is not valid YAML: " + e.msg);
        return SuiteLoad{std::nullopt, reader_.take_errors()};
    }
    if (!reader_.expect_map(root, "a suite file", "suite: NAME, protocol: smtp, cases: [...]")) {
        return SuiteLoad{std::nullopt, reader_.take_errors()};
    }
    reader_.check_keys(root,
                       {"suite", "protocol", "spec", "description", "tags", "requires", "timeout",
                        "variables", "fixtures", "cases"},
                       "a suite");
    parse_header(root);

    fixtures_ = root["fixtures"];
    if (fixtures_ && !fixtures_.IsNull() &&
        reader_.expect_map(fixtures_, "`fixtures`", "fixtures: {greet: [{expect: 220}]}")) {
        for (const auto& entry : fixtures_) {
            if (!entry.second.IsSequence()) {
                reader_.expect_sequence(entry.second,
                                        "fixture `" + entry.first.as<std::string>("") + "`",
                                        "a list of steps such as [{expect: 220}]");
            }
        }
    }
    // Fixtures are checked where they are used; unused ones are checked here.
    if (fixtures_ && fixtures_.IsMap()) {
        for (const auto& entry : fixtures_) {
            if (entry.second.IsSequence()) {
                std::vector<Step> steps;
                std::vector<std::string> stack{entry.first.as<std::string>("")};
                parse_steps(entry.second, steps, stack);
            }
        }
    }

    const YAML::Node cases = root["cases"];
    if (reader_.require_key(root, "cases", "a suite", "cases: [{id: ..., steps: [...]}]") &&
        reader_.expect_sequence(cases, "`cases`", "cases: [{id: quit, steps: [...]}]")) {
        std::set<std::string> ids;
        for (const auto& node : cases) {
            if (auto kase = parse_case(node, ids)) {
                suite_.cases.push_back(std::move(*kase));
            }
        }
        if (cases.size() == 0) {
            reader_.error(cases, "`cases` is empty; a suite needs at least one case");
        }
    }
    if (!reader_.errors().empty()) {
        return SuiteLoad{std::nullopt, reader_.take_errors()};
    }
    return SuiteLoad{std::move(suite_), {}};
}

void SuiteParser::parse_header(const YAML::Node& root) {
    if (reader_.require_key(root, "suite", "a suite", "suite: smtp-session")) {
        if (auto id = reader_.non_empty_string(root["suite"], "`suite`")) {
            if (!valid_id(*id)) {
                reader_.error(root["suite"],
                              "`suite` may hold letters, digits, '-', '_' and '.' only, not \"" +
                                  *id + "\"; write e.g. suite: smtp-session");
            }
            suite_.id = *id;
        }
    }
    if (reader_.require_key(root, "protocol", "a suite", "protocol: smtp (or pop3)")) {
        auto protocol = reader_.string(root["protocol"], "`protocol`");
        if (protocol == "smtp") {
            suite_.protocol = Protocol::smtp;
        } else if (protocol == "pop3") {
            suite_.protocol = Protocol::pop3;
        } else if (protocol) {
            reader_.error(root["protocol"],
                          "`protocol` must be smtp or pop3, not \"" + *protocol + "\"");
        }
    }
    if (root["spec"]) {
        suite_.spec = reader_.non_empty_string(root["spec"], "`spec`").value_or("");
    }
    if (root["description"]) {
        suite_.description = reader_.string(root["description"], "`description`").value_or("");
    }
    if (root["tags"]) {
        suite_.tags =
            reader_.string_list(root["tags"], "`tags`").value_or(std::vector<std::string>{});
    }
    if (root["requires"]) {
        suite_requires_ = reader_.string_list(root["requires"], "`requires`")
                              .value_or(std::vector<std::string>{});
    }
    if (root["timeout"]) {
        suite_timeout_ = reader_.duration(root["timeout"], "`timeout`").value_or(suite_timeout_);
    }
    const YAML::Node variables = root["variables"];
    if (variables &&
        reader_.expect_map(variables, "`variables`", "variables: {sender: \"me@${domain}\"}")) {
        for (const auto& entry : variables) {
            const std::string name = entry.first.as<std::string>("");
            if (is_builtin_variable(name)) {
                reader_.error(
                    entry.first,
                    "variable `" + name +
                        "` is built in (it comes from the target profile); pick another name");
                continue;
            }
            if (auto value = reader_.string(entry.second, "variable `" + name + "`")) {
                suite_.variables.emplace_back(name, *value);
            }
        }
    }
}

std::optional<Case> SuiteParser::parse_case(const YAML::Node& node, std::set<std::string>& ids) {
    if (!reader_.expect_map(node, "a case", "- {id: quit, steps: [{send: QUIT}, {expect: 221}]}")) {
        return std::nullopt;
    }
    reader_.check_keys(node,
                       {"id", "title", "ref", "level", "requires", "requirements", "tags",
                        "timeout", "mailboxes", "steps"},
                       "a case");
    Case kase;
    kase.position = reader_.position(node);
    kase.spec = suite_.spec;
    kase.tags = suite_.tags;
    kase.requires_ = suite_requires_;
    kase.timeout = suite_timeout_;
    if (reader_.require_key(node, "id", "a case", "id: quit-221-then-close")) {
        if (auto id = reader_.non_empty_string(node["id"], "`id`")) {
            kase.id = *id;
            if (!valid_id(*id)) {
                reader_.error(
                    node["id"],
                    "a case `id` may hold letters, digits, '-', '_' and '.' only, not \"" + *id +
                        "\"");
            } else if (!ids.insert(*id).second) {
                reader_.error(
                    node["id"],
                    "case id `" + *id + "` is used twice in this suite; case ids must be unique");
            }
        }
    }
    if (node["title"]) {
        kase.title = reader_.string(node["title"], "`title`").value_or("");
    }
    if (node["ref"]) {
        if (auto ref = reader_.non_empty_string(node["ref"], "`ref`")) {
            const std::size_t space = ref->find(' ');
            if (space != std::string::npos) {
                kase.spec = ref->substr(0, space);
                kase.ref = ref->substr(space + 1);
            } else if (suite_.spec.empty()) {
                reader_.error(
                    node["ref"],
                    "`ref` names no spec and the suite has no `spec`; write ref: \"RFC5321 " +
                        *ref + "\" or spec: RFC5321 at the top");
            } else {
                kase.ref = *ref;
            }
        }
    }
    if (node["level"]) {
        if (auto level = reader_.string(node["level"], "`level`")) {
            if (auto parsed = parse_level(*level)) {
                kase.level = *parsed;
            } else {
                reader_.error(
                    node["level"],
                    "`level` must be MUST, SHOULD or MAY (upper case), not \"" + *level + "\"");
            }
        }
    }
    if (node["requires"]) {
        for (auto& item : reader_.string_list(node["requires"], "`requires`")
                              .value_or(std::vector<std::string>{})) {
            kase.requires_.push_back(std::move(item));
        }
    }
    if (node["tags"]) {
        for (auto& tag :
             reader_.string_list(node["tags"], "`tags`").value_or(std::vector<std::string>{})) {
            if (std::find(kase.tags.begin(), kase.tags.end(), tag) == kase.tags.end()) {
                kase.tags.push_back(std::move(tag));
            }
        }
    }
    if (node["requirements"]) {
        kase.requirements = reader_.string_list(node["requirements"], "`requirements`")
                                .value_or(std::vector<std::string>{});
    }
    if (node["timeout"]) {
        kase.timeout = reader_.duration(node["timeout"], "`timeout`").value_or(kase.timeout);
    }
    if (node["mailboxes"]) {
        kase.mailboxes = reader_.string_list(node["mailboxes"], "`mailboxes`")
                             .value_or(std::vector<std::string>{});
    }
    if (reader_.require_key(node, "steps", "a case", "steps: [{send: QUIT}, {expect: 221}]") &&
        reader_.expect_sequence(node["steps"], "`steps`", "steps: [{send: QUIT}, {expect: 221}]")) {
        std::vector<std::string> stack;
        parse_steps(node["steps"], kase.steps, stack);
        if (node["steps"].size() == 0) {
            reader_.error(node["steps"], "`steps` is empty; a case needs at least one step");
        }
    }
    check_case(kase);
    return kase;
}

void SuiteParser::parse_steps(const YAML::Node& list, std::vector<Step>& out,
                              std::vector<std::string>& using_stack) {
    for (const auto& node : list) {
        if (auto step = parse_step(node, out, using_stack)) {
            out.push_back(std::move(*step));
        }
    }
}

std::optional<Step> SuiteParser::parse_step(const YAML::Node& node, std::vector<Step>& out,
                                            std::vector<std::string>& using_stack) {
    if (!reader_.expect_map(node, "a step", step_example)) {
        return std::nullopt;
    }
    reader_.check_keys(node,
                       {"send", "expect", "capture", "starttls", "tls", "auth", "connect", "sleep",
                        "deliver", "use", "on", "timeout"},
                       "a step");
    static constexpr std::array<const char*, 10> actions = {
        "send", "expect",  "capture", "starttls", "tls",
        "auth", "connect", "sleep",   "deliver",  "use"};
    std::vector<std::string> present;
    for (const char* key : actions) {
        if (node[key]) {
            present.emplace_back(key);
        }
    }
    Step step;
    step.position = reader_.position(node);
    if (node["on"]) {
        step.on = reader_.non_empty_string(node["on"], "`on`");
    }
    if (node["timeout"]) {
        step.timeout = reader_.duration(node["timeout"], "a step's `timeout`");
    }
    if (present.size() > 1) {
        reader_.error(node, "a step does one thing, this one has " + present[0] + " and " +
                                present[1] + "; split it into two steps");
        return std::nullopt;
    }
    if (present.empty()) {
        if (step.on && node.size() == 1) {
            step.action = Switch{*step.on};
            step.on.reset();
            return step;
        }
        const bool only_known_keys = std::all_of(node.begin(), node.end(), [](const auto& entry) {
            const std::string key = entry.first.template as<std::string>("");
            return key == "on" || key == "timeout";
        });
        if (!only_known_keys) {
            return std::nullopt;  // the unknown key is already reported, with a suggestion
        }
        reader_.error(node,
                      "a step needs one of send, expect, capture, starttls, tls, auth, connect, "
                      "sleep, deliver, use (or only `on: NAME` to switch connections); write " +
                          std::string(step_example));
        return std::nullopt;
    }
    const std::string& action = present[0];
    const YAML::Node value = node[action];
    if (action == "use") {
        auto name = reader_.non_empty_string(value, "`use`");
        if (!name) {
            return std::nullopt;
        }
        const YAML::Node& fixtures = fixtures_;  // const: lookups must not insert
        const bool known = fixtures.IsDefined() && fixtures.IsMap() && fixtures[*name].IsDefined();
        const YAML::Node fixture = known ? fixtures[*name] : YAML::Node(YAML::NodeType::Undefined);
        if (!known) {
            std::string defined;
            if (fixtures_ && fixtures_.IsMap()) {
                for (const auto& entry : fixtures_) {
                    defined += (defined.empty() ? "" : ", ") + entry.first.as<std::string>("");
                }
            }
            reader_.error(value,
                          "unknown fixture `" + *name + "`; " +
                              (defined.empty() ? std::string("this suite defines no `fixtures:`")
                                               : "defined fixtures: " + defined));
            return std::nullopt;
        }
        if (std::find(using_stack.begin(), using_stack.end(), *name) != using_stack.end()) {
            reader_.error(value, "fixture `" + *name + "` uses itself (through " +
                                     using_stack.back() + "); remove the cycle");
            return std::nullopt;
        }
        if (step.on || step.timeout) {
            reader_.error(node,
                          "`on` and `timeout` cannot be set on a `use:` step; set them on the "
                          "fixture's steps");
        }
        if (fixture.IsSequence()) {
            using_stack.push_back(*name);
            parse_steps(fixture, out, using_stack);
            using_stack.pop_back();
        }
        return std::nullopt;
    }
    if (action == "send") {
        auto send = parse_send(value);
        if (!send) {
            return std::nullopt;
        }
        step.action = std::move(*send);
    } else if (action == "expect") {
        auto expectation = parse_expectation(value);
        if (!expectation) {
            return std::nullopt;
        }
        step.action = std::move(*expectation);
    } else if (action == "capture") {
        auto capture = parse_capture(value);
        if (!capture) {
            return std::nullopt;
        }
        step.action = std::move(*capture);
    } else if (action == "starttls" || action == "tls") {
        if (!value.IsNull() && !(value.IsMap() && value.size() == 0)) {
            reader_.error(value, "`" + action + "` takes no options; write " + action + ": {}");
            return std::nullopt;
        }
        if (action == "starttls") {
            step.action = StartTls{};
        } else {
            step.action = Tls{};
        }
    } else if (action == "auth") {
        auto auth = parse_auth(value);
        if (!auth) {
            return std::nullopt;
        }
        step.action = std::move(*auth);
    } else if (action == "connect") {
        auto connect = parse_connect(value);
        if (!connect) {
            return std::nullopt;
        }
        step.action = std::move(*connect);
    } else if (action == "sleep") {
        auto duration = reader_.duration(value, "`sleep`");
        if (!duration) {
            return std::nullopt;
        }
        step.action = Sleep{*duration};
    } else if (action == "deliver") {
        auto deliver = parse_deliver(value);
        if (!deliver) {
            return std::nullopt;
        }
        step.action = std::move(*deliver);
    }
    return step;
}

std::optional<Send> SuiteParser::parse_send(const YAML::Node& node) {
    if (node.IsScalar()) {
        return SendLine{node.Scalar(), 1};
    }
    if (!reader_.expect_map(node, "`send`", "send: QUIT or send: {raw: \"QUIT\\n\"}")) {
        return std::nullopt;
    }
    reader_.check_keys(node, {"line", "repeat", "raw", "lines", "data", "bytes", "line_length"},
                       "`send`");
    int forms = 0;
    for (const char* key : {"line", "raw", "lines", "data", "bytes"}) {
        forms += node[key] ? 1 : 0;
    }
    if (forms != 1) {
        reader_.error(node,
                      "`send` takes exactly one of line, raw, lines, data, bytes; write e.g. "
                      "send: {lines: [\"MAIL FROM:<a@b>\", \"RCPT TO:<c@d>\"]}");
        return std::nullopt;
    }
    if (node["repeat"] && !node["line"]) {
        reader_.error(node["repeat"],
                      "`repeat` goes with `line`; write send: {line: NOOP, repeat: 10}");
    }
    if (node["line_length"] && !node["bytes"]) {
        reader_.error(
            node["line_length"],
            "`line_length` goes with `bytes`; write send: {bytes: 100000, line_length: 998}");
    }
    if (node["line"]) {
        auto text = reader_.string(node["line"], "`line`");
        std::size_t repeat = 1;
        if (node["repeat"]) {
            auto parsed = reader_.count(node["repeat"], "`repeat`");
            if (parsed && (*parsed == 0 || *parsed > 1000000)) {
                reader_.error(node["repeat"], "`repeat` must be between 1 and 1000000");
                return std::nullopt;
            }
            repeat = parsed.value_or(1);
        }
        if (!text) {
            return std::nullopt;
        }
        return SendLine{*text, repeat};
    }
    if (node["raw"]) {
        auto text = reader_.string(node["raw"], "`raw`");
        return text ? std::optional<Send>(SendRaw{*text}) : std::nullopt;
    }
    if (node["lines"]) {
        if (!reader_.expect_sequence(node["lines"], "`lines`", "lines: [NOOP, NOOP]")) {
            return std::nullopt;
        }
        auto lines = reader_.string_list(node["lines"], "`lines`");
        return lines ? std::optional<Send>(SendLines{*lines}) : std::nullopt;
    }
    if (node["data"]) {
        SendData data;
        if (!parse_message_text(node["data"], data.text, data.file, "`data`")) {
            return std::nullopt;
        }
        return data;
    }
    SendBytes bytes;
    auto count = reader_.count(node["bytes"], "`bytes`");
    if (!count) {
        return std::nullopt;
    }
    bytes.bytes = *count;
    if (node["line_length"]) {
        auto length = reader_.count(node["line_length"], "`line_length`");
        if (!length || *length == 0) {
            if (length) {
                reader_.error(node["line_length"], "`line_length` must be 1 or more");
            }
            return std::nullopt;
        }
        bytes.line_length = *length;
    }
    return bytes;
}

bool SuiteParser::parse_message_text(const YAML::Node& node, std::string& text,
                                     std::optional<std::filesystem::path>& file,
                                     std::string_view what) {
    if (node.IsScalar()) {
        text = node.Scalar();
        return true;
    }
    if (!node.IsMap() || !node["file"]) {
        reader_.error(node, std::string(what) + " must be the message text or {file: PATH}");
        return false;
    }
    reader_.check_keys(node, {"file"}, what);
    auto path = reader_.non_empty_string(node["file"], "`file`");
    if (!path) {
        return false;
    }
    const std::filesystem::path written(*path);
    const std::filesystem::path resolved = written.is_absolute() ? written : base_dir_ / written;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(resolved, ec)) {
        reader_.error(node["file"],
                      "message file " + resolved.string() +
                          " does not exist (relative paths start at the suite file's folder)");
        return false;
    }
    file = resolved;
    return true;
}

std::optional<Expectation> SuiteParser::parse_expectation(const YAML::Node& node) {
    Expectation out;
    out.written = detail::flow_text(node);
    const bool smtp = suite_.protocol == Protocol::smtp;
    if (node.IsScalar()) {
        const std::string& text = node.Scalar();
        if (text == "closed") {
            out.form = ClosedExpect{};
            return out;
        }
        if (smtp) {
            if (auto code = code_pattern(text)) {
                out.form = ReplyExpect{{*code}, {}, {}, {}, {}};
                return out;
            }
            reader_.error(node,
                          "expect: \"" + text +
                              "\" is not an SMTP reply expectation; write a code "
                              "(250), a class (2xx), a list ([250, 251]), closed, or a map such as "
                              "{code: 250, text: REGEX}" +
                              (is_pop3_status(text) ? " (this suite's protocol is smtp)" : ""));
            return std::nullopt;
        }
        if (is_pop3_status(text)) {
            ResponseExpect response;
            response.status = text;
            out.form = response;
            return out;
        }
        reader_.error(
            node, "expect: \"" + text +
                      "\" is not a POP3 response expectation; write \"+OK\", "
                      "\"-ERR\", \"+\", closed, or a map such as {status: \"+OK\", text: REGEX}" +
                      (code_pattern(text) ? " (this suite's protocol is pop3)" : ""));
        return std::nullopt;
    }
    if (node.IsSequence()) {
        if (!smtp) {
            reader_.error(node,
                          "a list of codes is an SMTP expectation; in a pop3 suite write "
                          "{any: [\"+OK\", \"-ERR\"]}");
            return std::nullopt;
        }
        ReplyExpect reply;
        for (const auto& item : node) {
            auto text = reader_.string(item, "a code in the list");
            if (!text) {
                continue;
            }
            if (auto code = code_pattern(*text)) {
                reply.codes.push_back(*code);
            } else {
                reader_.error(item, "\"" + *text + "\" is not a reply code; write 250 or 2xx");
            }
        }
        if (reply.codes.empty()) {
            reader_.error(node, "the list of codes is empty; write e.g. expect: [250, 251]");
            return std::nullopt;
        }
        out.form = std::move(reply);
        return out;
    }
    if (!node.IsMap()) {
        reader_.error(node, "`expect` must be a code, a status, closed, a list or a map");
        return std::nullopt;
    }
    if (node["any"]) {
        reader_.check_keys(node, {"any"}, "an `any` expectation");
        if (!reader_.expect_sequence(node["any"], "`any`", "any: [{code: 501}, closed]")) {
            return std::nullopt;
        }
        AnyExpect any;
        for (const auto& alternative : node["any"]) {
            if (auto parsed = parse_expectation(alternative)) {
                any.alternatives.push_back(std::move(*parsed));
            }
        }
        if (any.alternatives.size() != node["any"].size()) {
            return std::nullopt;
        }
        if (any.alternatives.empty()) {
            reader_.error(node["any"], "`any` is empty; list the acceptable outcomes");
            return std::nullopt;
        }
        out.form = std::move(any);
        return out;
    }
    if (node["silence"]) {
        reader_.check_keys(node, {"silence"}, "a `silence` expectation");
        auto duration = reader_.duration(node["silence"], "`silence`");
        if (!duration) {
            return std::nullopt;
        }
        out.form = SilenceExpect{*duration};
        return out;
    }
    if (smtp) {
        auto reply = parse_reply_expect(node);
        if (!reply) {
            return std::nullopt;
        }
        out.form = std::move(*reply);
    } else {
        auto response = parse_response_expect(node);
        if (!response) {
            return std::nullopt;
        }
        out.form = std::move(*response);
    }
    return out;
}

std::optional<ReplyExpect> SuiteParser::parse_reply_expect(const YAML::Node& node) {
    reader_.check_keys(node, {"code", "text", "enhanced", "lines", "contains", "any", "silence"},
                       "an SMTP expectation");
    ReplyExpect reply;
    bool ok = true;
    if (const YAML::Node code = node["code"]) {
        auto texts = reader_.string_list(code, "`code`");
        for (const auto& text : texts.value_or(std::vector<std::string>{})) {
            if (auto pattern = code_pattern(text)) {
                reply.codes.push_back(*pattern);
            } else {
                reader_.error(code, "`code` \"" + text +
                                        "\" is not a reply code; write 250, 2xx or [250, 251]");
                ok = false;
            }
        }
        ok = ok && texts.has_value();
    }
    if (node["text"]) {
        reply.text = reader_.pattern(node["text"], "`text`");
        ok = ok && reply.text.has_value();
    }
    if (node["enhanced"]) {
        const auto enhanced = reader_.non_empty_string(node["enhanced"], "`enhanced`");
        if (enhanced && !EnhancedPattern::valid(*enhanced)) {
            reader_.error(node["enhanced"],
                          "`enhanced` \"" + *enhanced +
                              "\" is not an enhanced status code (RFC 3463 2); write \"2.1.0\", "
                              "or with wildcards \"2.x.x\" or \"5.7.*\"");
        } else if (enhanced) {
            reply.enhanced = EnhancedPattern{*enhanced};
        }
        ok = ok && reply.enhanced.has_value();
    }
    if (node["lines"]) {
        reply.lines = reader_.count(node["lines"], "`lines`");
        ok = ok && reply.lines.has_value();
    }
    if (node["contains"]) {
        auto keywords = reader_.string_list(node["contains"], "`contains`");
        reply.contains = keywords.value_or(std::vector<std::string>{});
        ok = ok && keywords.has_value();
    }
    for (const char* pop3_key : {"status", "multiline", "body", "resp_code"}) {
        if (node[pop3_key]) {
            reader_.error(node[pop3_key],
                          std::string("`") + pop3_key +
                              "` is a POP3 expectation key; this suite's protocol is smtp");
        }
    }
    return ok ? std::optional<ReplyExpect>(std::move(reply)) : std::nullopt;
}

std::optional<ResponseExpect> SuiteParser::parse_response_expect(const YAML::Node& node) {
    for (const char* smtp_key : {"code", "enhanced", "contains", "lines"}) {
        if (node[smtp_key]) {
            reader_.error(node[smtp_key],
                          std::string("`") + smtp_key +
                              "` is an SMTP expectation key; this suite's protocol is pop3");
        }
    }
    reader_.check_keys(node,
                       {"status", "text", "resp_code", "multiline", "body", "code", "enhanced",
                        "contains", "lines"},
                       "a POP3 expectation");
    ResponseExpect response;
    bool ok = true;
    if (node["status"]) {
        response.status = reader_.string(node["status"], "`status`");
        if (response.status && !is_pop3_status(*response.status)) {
            reader_.error(node["status"],
                          "`status` must be \"+OK\", \"-ERR\" or \"+\" (quoted), not \"" +
                              *response.status + "\"");
            ok = false;
        }
    }
    if (node["text"]) {
        response.text = reader_.pattern(node["text"], "`text`");
        ok = ok && response.text.has_value();
    }
    if (node["resp_code"]) {
        response.resp_code = reader_.non_empty_string(node["resp_code"], "`resp_code`");
        ok = ok && response.resp_code.has_value();
    }
    if (node["multiline"]) {
        response.multiline = reader_.boolean(node["multiline"], "`multiline`");
        ok = ok && response.multiline.has_value();
    }
    if (const YAML::Node body = node["body"]) {
        if (reader_.expect_map(body, "`body`", "body: {lines: 2, matches: \"^Subject:\"}")) {
            reader_.check_keys(body, {"lines", "matches"}, "`body`");
            BodyExpect expect;
            if (body["lines"]) {
                expect.lines = reader_.count(body["lines"], "`body.lines`");
                ok = ok && expect.lines.has_value();
            }
            if (body["matches"]) {
                expect.matches = reader_.pattern(body["matches"], "`body.matches`");
                ok = ok && expect.matches.has_value();
            }
            response.body = std::move(expect);
        } else {
            ok = false;
        }
        if (response.multiline == false) {
            reader_.error(body, "`body` needs a multi-line response; drop `multiline: false`");
            ok = false;
        }
    }
    return ok ? std::optional<ResponseExpect>(std::move(response)) : std::nullopt;
}

std::optional<Capture> SuiteParser::parse_capture(const YAML::Node& node) {
    if (!reader_.expect_map(node, "`capture`", "capture: {queue_id: \"queued as ([A-Z0-9]+)\"}")) {
        return std::nullopt;
    }
    Capture capture;
    bool ok = true;
    for (const auto& entry : node) {
        const std::string name = entry.first.as<std::string>("");
        if (!valid_id(name) || is_builtin_variable(name)) {
            reader_.error(entry.first, "capture name `" + name +
                                           "` must be a word (letters, digits, '_') "
                                           "that is not a built-in variable");
            ok = false;
            continue;
        }
        auto pattern = reader_.pattern(entry.second, "capture `" + name + "`", 1);
        if (!pattern) {
            ok = false;
            continue;
        }
        capture.names.emplace_back(name, std::move(*pattern));
    }
    if (ok && capture.names.empty()) {
        reader_.error(node,
                      "`capture` is empty; write capture: {name: \"regex with (one group)\"}");
        return std::nullopt;
    }
    return ok ? std::optional<Capture>(std::move(capture)) : std::nullopt;
}

std::optional<Auth> SuiteParser::parse_auth(const YAML::Node& node) {
    if (!reader_.expect_map(node, "`auth`", "auth: {mechanism: PLAIN, account: alice}")) {
        return std::nullopt;
    }
    reader_.check_keys(node, {"mechanism", "account", "password", "succeed"}, "`auth`");
    Auth auth;
    bool ok = reader_.require_key(node, "mechanism", "`auth`", "mechanism: PLAIN") &&
              reader_.require_key(node, "account", "`auth`", "account: alice");
    if (!ok) {
        return std::nullopt;
    }
    const auto mechanism = reader_.string(node["mechanism"], "`mechanism`");
    const bool smtp = suite_.protocol == Protocol::smtp;
    static const std::map<std::string, Mechanism> names = {{"PLAIN", Mechanism::plain},
                                                           {"LOGIN", Mechanism::login},
                                                           {"CRAM-MD5", Mechanism::cram_md5},
                                                           {"USER", Mechanism::user},
                                                           {"APOP", Mechanism::apop}};
    const auto found = mechanism ? names.find(*mechanism) : names.end();
    if (found == names.end() ||
        (smtp && (found->second == Mechanism::user || found->second == Mechanism::apop))) {
        if (mechanism) {
            reader_.error(node["mechanism"],
                          "`mechanism` must be " +
                              std::string(smtp ? "PLAIN, LOGIN or CRAM-MD5 in an smtp suite"
                                               : "PLAIN, LOGIN, CRAM-MD5, USER or APOP") +
                              ", not \"" + *mechanism + "\"");
        }
        return std::nullopt;
    }
    auth.mechanism = found->second;
    auto account = reader_.non_empty_string(node["account"], "`account`");
    if (!account) {
        return std::nullopt;
    }
    auth.account = *account;
    if (node["password"]) {
        auth.password = reader_.string(node["password"], "`password`");
        ok = auth.password.has_value();
    }
    if (node["succeed"]) {
        auto succeed = reader_.boolean(node["succeed"], "`succeed`");
        auth.succeed = succeed.value_or(true);
        ok = ok && succeed.has_value();
    }
    return ok ? std::optional<Auth>(std::move(auth)) : std::nullopt;
}

std::optional<Connect> SuiteParser::parse_connect(const YAML::Node& node) {
    if (!reader_.expect_map(node, "`connect`", "connect: {name: second}")) {
        return std::nullopt;
    }
    reader_.check_keys(node, {"name", "protocol"}, "`connect`");
    if (!reader_.require_key(node, "name", "`connect`", "connect: {name: second}")) {
        return std::nullopt;
    }
    Connect connect;
    auto name = reader_.non_empty_string(node["name"], "`name`");
    if (!name) {
        return std::nullopt;
    }
    connect.name = *name;
    if (node["protocol"]) {
        auto protocol = reader_.string(node["protocol"], "`protocol`");
        if (protocol == "smtp") {
            connect.protocol = Protocol::smtp;
        } else if (protocol == "pop3") {
            connect.protocol = Protocol::pop3;
        } else {
            if (protocol) {
                reader_.error(node["protocol"],
                              "`protocol` must be smtp or pop3, not \"" + *protocol + "\"");
            }
            return std::nullopt;
        }
        if (connect.protocol != suite_.protocol) {
            reader_.error(node["protocol"],
                          "a " + std::string(to_string(suite_.protocol)) +
                              " suite's connections speak " + to_string(suite_.protocol) +
                              "; put the other protocol's steps in a suite of its own "
                              "(use `deliver:` to put mail in a mailbox)");
            return std::nullopt;
        }
    }
    return connect;
}

std::optional<Deliver> SuiteParser::parse_deliver(const YAML::Node& node) {
    if (!reader_.expect_map(node, "`deliver`",
                            "deliver: {to: alice, data: \"Subject: hi\\n\\nhello\\n\"}")) {
        return std::nullopt;
    }
    reader_.check_keys(node, {"to", "from", "data"}, "`deliver`");
    const bool has_to = reader_.require_key(node, "to", "`deliver`", "to: alice");
    const bool has_data =
        reader_.require_key(node, "data", "`deliver`", "data: \"Subject: hi\\n\\nhello\\n\"");
    if (!has_to || !has_data) {
        return std::nullopt;
    }
    Deliver deliver;
    auto to = reader_.non_empty_string(node["to"], "`to`");
    if (!to) {
        return std::nullopt;
    }
    deliver.to = *to;
    deliver.from = "harness@${domain}";
    if (node["from"]) {
        auto from = reader_.string(node["from"], "`from`");
        if (!from) {
            return std::nullopt;
        }
        deliver.from = *from;
    }
    if (!parse_message_text(node["data"], deliver.text, deliver.file, "`data`")) {
        return std::nullopt;
    }
    return deliver;
}

// Checks what only the flattened case shows: variables defined before use, connections opened
// before `on:`. Collects the mailboxes the case touches.
void SuiteParser::check_case(Case& kase) {
    std::set<std::string> defined;
    for (const auto& [name, value] : suite_.variables) {
        defined.insert(name);
    }
    for (const auto& [name, value] : suite_.variables) {
        check_text(value, kase.position, defined);
    }
    std::set<std::string> connections{"default"};
    const auto check_connection = [&](const std::string& name, const Position& at) {
        if (!connections.count(name)) {
            reader_.error(at, "connection `" + name +
                                  "` is not open here; open it first with connect: {name: " + name +
                                  "}");
        }
    };
    for (const Step& step : kase.steps) {
        if (step.on) {
            check_connection(*step.on, step.position);
        }
        const auto text = [&](const std::string& value) {
            check_text(value, step.position, defined);
        };
        std::visit(
            [&](const auto& action) {
                using T = std::decay_t<decltype(action)>;
                if constexpr (std::is_same_v<T, Send>) {
                    std::visit(
                        [&](const auto& send) {
                            using S = std::decay_t<decltype(send)>;
                            if constexpr (std::is_same_v<S, SendLines>) {
                                for (const auto& line : send.lines) {
                                    text(line);
                                }
                            } else if constexpr (!std::is_same_v<S, SendBytes>) {
                                text(send.text);
                            }
                        },
                        action);
                } else if constexpr (std::is_same_v<T, Expectation>) {
                    for_each_pattern(action, [&](const Pattern& pattern) {
                        if (pattern.has_variables) {
                            text(pattern.source);
                        }
                    });
                } else if constexpr (std::is_same_v<T, Capture>) {
                    for (const auto& [name, pattern] : action.names) {
                        if (pattern.has_variables) {
                            text(pattern.source);
                        }
                    }
                    for (const auto& [name, pattern] : action.names) {
                        defined.insert(name);
                    }
                } else if constexpr (std::is_same_v<T, Auth>) {
                    text(action.account);
                    if (action.password) {
                        text(*action.password);
                    }
                    if (suite_.protocol == Protocol::pop3) {
                        kase.mailboxes.push_back(action.account);
                    }
                } else if constexpr (std::is_same_v<T, Connect>) {
                    if (!connections.insert(action.name).second) {
                        reader_.error(step.position, "connection `" + action.name +
                                                         "` is already open; pick another name");
                    }
                } else if constexpr (std::is_same_v<T, Switch>) {
                    check_connection(action.connection, step.position);
                } else if constexpr (std::is_same_v<T, Deliver>) {
                    text(action.to);
                    text(action.from);
                    text(action.text);
                    kase.mailboxes.push_back(action.to);
                }
            },
            step.action);
    }
    std::sort(kase.mailboxes.begin(), kase.mailboxes.end());
    kase.mailboxes.erase(std::unique(kase.mailboxes.begin(), kase.mailboxes.end()),
                         kase.mailboxes.end());
}

void SuiteParser::check_text(const std::string& text, const Position& at,
                             const std::set<std::string>& defined) {
    const VariableScan scan = scan_variables(text);
    if (scan.unterminated) {
        reader_.error(at, "\"${\" without its closing \"}\" in \"" + text +
                              "\"; write ${name}, or $${ for a literal ${");
    }
    for (const std::string& name : scan.names) {
        if (!is_builtin_variable(name) && !defined.count(name)) {
            reader_.error(
                at,
                "undefined variable ${" + name +
                    "}; use a built-in one (domain, foreign_address, user1, address1, password1, "
                    "max_message_size, ...), declare it under `variables:`, or capture it in an "
                    "earlier step");
        }
    }
}

std::string read_file(const std::filesystem::path& file, std::string& error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = "cannot read the file";
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool is_yaml(const std::filesystem::path& file) {
    const auto extension = file.extension();
    return extension == ".yaml" || extension == ".yml";
}

}  // namespace

SuiteLoad parse_suite(std::string_view yaml, const std::string& file_name,
                      const std::filesystem::path& base_dir) {
    return SuiteParser(file_name, base_dir).parse(yaml);
}

SuiteLoad load_suite(const std::filesystem::path& file) {
    std::string error;
    const std::string text = read_file(file, error);
    if (!error.empty()) {
        return SuiteLoad{std::nullopt, {LoadError{Position{file.string(), 0, 0}, error}}};
    }
    SuiteLoad load = parse_suite(text, file.string(), file.parent_path());
    if (load.suite) {
        load.suite->file = file;
    }
    return load;
}

std::string yaml_file_kind(const std::filesystem::path& file) {
    try {
        const YAML::Node root = YAML::LoadFile(file.string());
        if (root.IsMap()) {
            if (root["suite"]) {
                return "suite";
            }
            if (root["target"]) {
                return "target";
            }
        }
    } catch (const YAML::Exception&) {
        return "broken";
    }
    return "";
}

SuiteSet load_suites(const std::vector<std::filesystem::path>& paths) {
    SuiteSet out;
    std::map<std::string, std::string> suite_files;  // id -> file, for duplicates
    const auto add = [&](const std::filesystem::path& file) {
        SuiteLoad load = load_suite(file);
        for (auto& error : load.errors) {
            out.errors.push_back(std::move(error));
        }
        if (!load.suite) {
            return;
        }
        const auto [it, inserted] = suite_files.emplace(load.suite->id, file.string());
        if (!inserted) {
            out.errors.push_back(LoadError{Position{file.string(), 1, 1},
                                           "suite id `" + load.suite->id + "` is already used by " +
                                               it->second + "; suite ids must be unique"});
            return;
        }
        out.suites.push_back(std::move(*load.suite));
    };
    for (const auto& path : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
                if (entry.is_regular_file() && is_yaml(entry.path())) {
                    files.push_back(entry.path());
                }
            }
            std::sort(files.begin(), files.end());
            for (const auto& file : files) {
                const std::string kind = yaml_file_kind(file);
                if (kind == "suite" || kind == "broken") {  // broken YAML: report its position
                    add(file);
                }
            }
        } else if (std::filesystem::is_regular_file(path, ec)) {
            add(path);
        } else {
            out.errors.push_back(
                LoadError{Position{path.string(), 0, 0}, "no such file or folder"});
        }
    }
    return out;
}

}  // namespace mh::harness::scenario
