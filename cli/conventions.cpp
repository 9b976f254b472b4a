#include "cli/conventions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

namespace mh::cli {

namespace {

// Examples per subcommand path ("report render"). Each is a command and what it does.
const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& examples() {
    static const std::map<std::string, std::vector<std::pair<std::string, std::string>>> table = {
        {"serve",
         {{"mailharness serve", "the embedded profile on 127.0.0.1:2525 (SMTP), :2110 (POP3)"},
          {"mailharness serve --smtp 127.0.0.1:0 --quiet", "SMTP only, on a free port"},
          {"mailharness serve --config mh.yaml", "listeners, accounts, TLS from a file"}}},
        {"validate",
         {{"mailharness validate suites/", "check every suite and profile below suites/"},
          {"mailharness validate my-case.yaml target.yaml", "check two files"}}},
        {"list",
         {{"mailharness list", "every bundled case"},
          {"mailharness list --level MUST --spec RFC5321", "the MUST cases of RFC 5321"}}},
        {"run",
         {{"mailharness run", "the bundled suites against the embedded reference"},
          {"mailharness run --smtp mx.test:25 --pop3 mx.test:110 --junit junit.xml",
           "your server, JUnit for CI"},
          {"mailharness run --target target.yaml --shard 2/4 --json part2.json",
           "the second of four CI shards"},
          {"mailharness run case.yaml --smtp 127.0.0.1:2525", "replay a recorded session"}}},
        {"coverage",
         {{"mailharness coverage", "requirements of the catalogue checked by the bundled suites"},
          {"mailharness coverage --list", "list the requirements without a case"}}},
        {"send",
         {{"mailharness send --server 127.0.0.1:2587 --auth alice:alice-pw --insecure "
           "--from alice@example.test --to bob@example.test --subject hi --body hello",
           "submit a message with STARTTLS and AUTH"}}},
        {"fetch",
         {{"mailharness fetch --server 127.0.0.1:2110 --user bob --password bob-pw --insecure "
           "--maildir ./Maildir",
           "download new mail over STLS, keeping it on the server"}}},
        {"report",
         {{"mailharness report merge part*.json --out all.json", "join shard results"},
          {"mailharness report render all.json --format markdown", "a Markdown summary"}}},
        {"report render",
         {{"mailharness report render results.json --format junit --out junit.xml",
           "JUnit from JSON results"}}},
        {"report merge",
         {{"mailharness report merge part1.json part2.json --out all.json", "join shards"}}},
        {"report check",
         {{"mailharness report check all.json --fail-on must", "exit 1 on a MUST failure"}}},
        {"record",
         {{"mailharness record --listen 127.0.0.1:2526 --upstream 127.0.0.1:2525 --out case.yaml",
           "record one SMTP session: point the client at port 2526"},
          {"mailharness record --pop3 --listen 127.0.0.1:2111 --upstream 127.0.0.1:2110 "
           "--sessions 0 --out pop3.yaml",
           "record POP3 sessions until Ctrl-C"}}},
        {"diff",
         {{"mailharness diff --target a.yaml --target b.yaml suites/smtp",
           "cases whose outcome differs between two servers"},
          {"mailharness diff old.json new.json", "regressions between two result files"}}},
        {"bench",
         {{"mailharness bench smtp --smtp 127.0.0.1:2525 --concurrency 8 --messages 1000 "
           "--json bench.json",
           "SMTP throughput and latency"}}},
        {"bench smtp",
         {{"mailharness bench smtp --concurrency 10 --duration 30 --size 1024 --pipelining",
           "the embedded reference, pipelined, for 30 s"},
          {"mailharness bench smtp --smtp 127.0.0.1:2525 --rate 500 --duration 60 --verify "
           "--verify-maildir ./Maildir",
           "open loop at 500 msg/s, then check every message arrived once and intact"},
          {"mailharness bench smtp --concurrency 4 --messages 1000 --verify",
           "the embedded reference, then every message read back through POP3"}}},
        {"bench pop3",
         {{"mailharness bench pop3 --pop3 127.0.0.1:2110 --workload login --concurrency 10 "
           "--duration 30",
           "login+STAT+QUIT sessions per second"},
          {"mailharness bench pop3 --workload retr-all --concurrency 4 --sessions 200",
           "the embedded reference: a maildrop of 100 messages per session, over STLS"}}},
        {"bench scenario",
         {{"mailharness bench scenario suites/smtp/rcpt.yaml --concurrency 4 --duration 30",
           "the RCPT cases over and over against the embedded reference: cases/s, per case"},
          {"mailharness bench scenario my-flow.yaml --target server.yaml --rate 50 --duration 60",
           "a recorded conversation as an open-loop load profile"}}},
        {"bench merge",
         {{"mailharness bench merge node-*.json --out all.json",
           "one result from bench processes that ran at the same time"}}},
        {"fuzz",
         {{"mailharness fuzz --smtp 127.0.0.1:2525 --duration 60s --out findings/",
           "a minute of network fuzzing"}}},
    };
    return table;
}

std::string path_of(const CLI::App* app) {
    std::vector<std::string> names;
    for (; app != nullptr && app->get_parent() != nullptr; app = app->get_parent()) {
        names.push_back(app->get_name());
    }
    std::reverse(names.begin(), names.end());
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : " ") + name;
    }
    return out;
}

template <typename Visit>
void walk(CLI::App& app, const Visit& visit) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        visit(*sub);
        walk(*sub, visit);
    }
}

// troff: a leading "." or "'" starts a request, a backslash an escape, "-" may be a hyphen.
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) {
            out += "\\&";
        }
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
        line_start = c == '\n';
    }
    return out;
}

std::string option_names(const CLI::Option& option) {
    std::string out;
    for (const auto& s : option.get_snames()) {
        out += (out.empty() ? "-" : ", -") + s;
    }
    for (const auto& l : option.get_lnames()) {
        out += (out.empty() ? "--" : ", --") + l;
    }
    if (out.empty()) {
        out = option.get_name();  // a positional argument
    } else if (option.get_type_size() != 0) {
        out += " " +
               (option.get_option_text().empty() ? std::string("VALUE") : option.get_option_text());
    }
    return out;
}

}  // namespace

void add_help_examples(CLI::App& app) {
    walk(app, [](CLI::App& sub) {
        const auto found = examples().find(path_of(&sub));
        if (found == examples().end()) {
            return;
        }
        std::string footer = "\nExamples:\n";
        for (const auto& [command, what] : found->second) {
            footer += "  " + command + "\n      " + what + "\n";
        }
        sub.footer(footer);
    });
}

std::string man_page(CLI::App& app, std::string_view version) {
    std::string out = fmt::format(
        ".TH MAILHARNESS 1 \"\" \"mailharness {}\" \"User Commands\"\n"
        ".SH NAME\nmailharness \\- {}\n"
        ".SH SYNOPSIS\n.B mailharness\n[\\fB\\-\\-version\\fR] "
        "[\\fB\\-q\\fR|\\fB\\-\\-verbose\\fR] "
        "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n"
        ".SH DESCRIPTION\nEach command is described below; \\fBmailharness \\fICOMMAND\\fB "
        "\\-\\-help\\fR prints the same text. NO_COLOR in the environment turns colours off.\n"
        ".SH COMMANDS\n",
        roff(version), roff(app.get_description().substr(app.get_description().find(':') + 2)));
    walk(app, [&](CLI::App& sub) {
        out += ".SS \"" + roff("mailharness " + path_of(&sub)) + "\"\n" +
               roff(sub.get_description()) + "\n";
        for (const CLI::Option* option : sub.get_options()) {
            if (option->get_group().empty() || option->get_name() == "--help") {
                continue;  // hidden, or the help flag every command has
            }
            out += ".TP\n.B " + roff(option_names(*option)) + "\n" +
                   roff(option->get_description()) + "\n";
        }
        const auto found = examples().find(path_of(&sub));
        if (found != examples().end()) {
            out += ".PP\nExamples:\n";
            for (const auto& [command, what] : found->second) {
                out += ".PP\n.RS\n.nf\n" + roff(command) + "\n.fi\n" + roff(what) + "\n.RE\n";
            }
        }
    });
    out +=
        ".SH EXIT STATUS\n"
        ".TP\n.B 0\nevery applicable case passed (or the score reached \\-\\-min\\-score)\n"
        ".TP\n.B 1\ncompliance failures\n"
        ".TP\n.B 2\nbad usage, bad suite or bad target file\n"
        ".TP\n.B 3\nthe target could not be reached\n"
        ".SH FILES\n.TP\n.I <prefix>/share/mailharness/suites\nthe bundled suites\n"
        ".TP\n.I <prefix>/share/doc/mailharness\nthe documentation\n";
    return out;
}

std::string bash_completion(CLI::App& app) {
    // One case branch per command path: its subcommands and options.
    std::string branches;
    const auto words_of = [](CLI::App& command) {
        std::string words;
        for (CLI::App* sub : command.get_subcommands([](CLI::App*) { return true; })) {
            words += sub->get_name() + " ";
        }
        for (const CLI::Option* option : command.get_options()) {
            if (option->get_group().empty()) {
                continue;
            }
            for (const auto& s : option->get_snames()) {
                words += "-" + s + " ";
            }
            for (const auto& l : option->get_lnames()) {
                words += "--" + l + " ";
            }
        }
        return words;
    };
    branches += "        \"\") words=\"" + words_of(app) + "\" ;;\n";
    walk(app, [&](CLI::App& sub) {
        branches += "        \"" + path_of(&sub) + "\") words=\"" + words_of(sub) + "\" ;;\n";
    });
    std::string subcommand_paths;
    walk(app, [&](CLI::App& sub) { subcommand_paths += " \"" + path_of(&sub) + "\""; });
    return "# bash completion for mailharness, generated from its command-line definition\n"
           "_mailharness() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" word candidate i\n"
           "    local -a known=(" +
           subcommand_paths +
           " )\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        word=${COMP_WORDS[i]}\n"
           "        candidate=${path:+$path }$word\n"
           "        for known_path in \"${known[@]}\"; do\n"
           "            [[ $known_path == \"$candidate\" ]] && path=$candidate\n"
           "        done\n"
           "    done\n"
           "    local words\n"
           "    case \"$path\" in\n" +
           branches +
           "        *) words=\"\" ;;\n"
           "    esac\n"
           "    if [[ $cur == -* || -n $words ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
           "    fi\n"
           "    [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "}\n"
           "complete -o filenames -F _mailharness mailharness\n";
}

}  // namespace mh::cli
