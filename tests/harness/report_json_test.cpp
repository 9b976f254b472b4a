#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"

namespace mh::harness::report {
namespace {

using nlohmann::json;
using testing::line;
using testing::mixed_run;

// A validator for the subset of JSON Schema that reports/schema/results-v1.schema.json uses. A
// keyword outside the subset is an error, so the schema cannot rely on something unchecked.
class SchemaValidator {
  public:
    explicit SchemaValidator(json schema) : root_(std::move(schema)) {}

    std::vector<std::string> errors(const json& value) const {
        std::vector<std::string> found;
        check(root_, value, "", found);
        return found;
    }

  private:
    const json& resolve(const json& schema) const {
        if (!schema.contains("$ref")) {
            return schema;
        }
        const std::string ref = schema.at("$ref").get<std::string>();
        const std::string prefix = "#/$defs/";
        if (ref.rfind(prefix, 0) != 0) {
            throw std::runtime_error("unsupported $ref " + ref);
        }
        return root_.at("$defs").at(ref.substr(prefix.size()));
    }

    static bool has_type(const json& value, const std::string& type) {
        if (type == "object")
            return value.is_object();
        if (type == "array")
            return value.is_array();
        if (type == "string")
            return value.is_string();
        if (type == "integer")
            return value.is_number_integer();
        if (type == "number")
            return value.is_number();
        if (type == "boolean")
            return value.is_boolean();
        if (type == "null")
            return value.is_null();
        throw std::runtime_error("unknown type " + type);
    }

    void check(const json& schema_or_ref, const json& value, const std::string& path,
               std::vector<std::string>& found) const {
        const json& schema = resolve(schema_or_ref);
        const auto fail = [&](const std::string& what) {
            found.push_back((path.empty() ? "/" : path) + ": " + what);
        };
        static const std::set<std::string> annotations{"$schema", "$id", "$defs", "title",
                                                       "description"};
        static const std::set<std::string> supported{
            "type",       "const",    "enum",
            "minimum",    "maximum",  "pattern",
            "properties", "required", "additionalProperties",
            "items"};
        for (const auto& [keyword, argument] : schema.items()) {
            if (!annotations.contains(keyword) && !supported.contains(keyword)) {
                throw std::runtime_error("validator does not support keyword " + keyword);
            }
        }
        if (schema.contains("type")) {
            const json& type = schema.at("type");
            bool matches = false;
            for (const json& one : type.is_array() ? type : json::array({type})) {
                matches = matches || has_type(value, one.get<std::string>());
            }
            if (!matches) {
                return fail("expected type " + type.dump() + ", got " + value.dump());
            }
        }
        if (schema.contains("const") && value != schema.at("const")) {
            fail("expected " + schema.at("const").dump());
        }
        if (schema.contains("enum")) {
            const json& options = schema.at("enum");
            if (std::find(options.begin(), options.end(), value) == options.end()) {
                fail(value.dump() + " is not one of " + options.dump());
            }
        }
        if (value.is_number()) {
            if (schema.contains("minimum") && value.get<double>() < schema.at("minimum")) {
                fail("below minimum");
            }
            if (schema.contains("maximum") && value.get<double>() > schema.at("maximum")) {
                fail("above maximum");
            }
        }
        if (value.is_string() && schema.contains("pattern") &&
            !std::regex_search(value.get<std::string>(),
                               std::regex(schema.at("pattern").get<std::string>()))) {
            fail("does not match " + schema.at("pattern").dump());
        }
        if (value.is_object()) {
            for (const json& name : schema.value("required", json::array())) {
                if (!value.contains(name.get<std::string>())) {
                    fail("missing " + name.dump());
                }
            }
            const json properties = schema.value("properties", json::object());
            for (const auto& [key, member] : value.items()) {
                if (properties.contains(key)) {
                    check(properties.at(key), member, path + "/" + key, found);
                } else if (schema.contains("additionalProperties")) {
                    const json& additional = schema.at("additionalProperties");
                    if (additional == false) {
                        fail("unexpected member " + key);
                    } else if (additional.is_object()) {
                        check(additional, member, path + "/" + key, found);
                    }
                }
            }
        }
        if (value.is_array() && schema.contains("items")) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                check(schema.at("items"), value[i], path + "/" + std::to_string(i), found);
            }
        }
    }

    json root_;
};

SchemaValidator results_schema() {
    std::ifstream file(MH_SOURCE_DIR "/reports/schema/results-v1.schema.json");
    if (!file) {
        throw std::runtime_error("cannot open reports/schema/results-v1.schema.json");
    }
    return SchemaValidator(json::parse(file));
}

// Every field set, with bytes a peer might send (NUL, ESC, non-ASCII UTF-8).
RunResult full_run() {
    RunResult run = mixed_run();
    run.partial = true;
    run.shard = "2/4";
    run.cases[0].tags = {"core", "quit"};
    run.cases[1].transcript.push_back(line(TranscriptLine::Direction::server,
                                           std::string("250 \0 \x1b[31m red ]]> & <ok> é", 29),
                                           4.125));
    run.cases[1].transcript.back().connection = "second";
    run.target.pop3 = "127.0.0.1:1110 (none)";
    return run;
}

std::string rendered_with(const std::function<void(json&)>& change) {
    json document = json::parse(render_json(mixed_run()));
    change(document);
    return document.dump();
}

std::string parse_error(const std::string& text) {
    try {
        parse_json(text, "results.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(parsed without error)";
}

TEST(JsonReport, RoundTripsEveryField) {
    const RunResult run = full_run();
    const RunResult parsed = parse_json(render_json(run), "results.json");
    EXPECT_EQ(parsed, run);
    EXPECT_EQ(parsed.cases[1].transcript.back().text.size(), 29U);  // the NUL survived
}

TEST(JsonReport, WritesVersionScoresAndCases) {
    const json document = json::parse(render_json(mixed_run()));
    EXPECT_EQ(document.at("schema_version"), 1);
    EXPECT_EQ(document.at("tool").at("version"), "0.1.0");
    EXPECT_EQ(document.at("shard"), nullptr);
    const json& scores = document.at("scores");
    EXPECT_DOUBLE_EQ(scores.at("overall").at("ratio").get<double>(), 4.0 / 9.0);
    EXPECT_EQ(scores.at("overall").at("applicable_weight"), 9);
    const json& section = scores.at("specs").at("RFC5321").at("sections").at("4.1.1.1");
    EXPECT_EQ(section.at("passed_weight"), 3);
    EXPECT_EQ(section.at("applicable_weight"), 6);
    EXPECT_EQ(document.at("cases").at(1).at("full_id"), "a/2");
    EXPECT_EQ(document.at("cases").at(1).at("failed_step"), 3);
    EXPECT_EQ(document.at("cases").at(0).at("failed_step"), nullptr);
    EXPECT_EQ(document.at("cases").at(1).at("transcript").at(1).at("direction"), "client");
}

TEST(JsonReport, InvalidUtf8BecomesHexEscapes) {
    RunResult run = mixed_run();
    run.cases[1].actual = "250 \xff\xc3(";  // a stray byte and a truncated sequence
    const RunResult parsed = parse_json(render_json(run), "results.json");
    EXPECT_EQ(parsed.cases[1].actual, "250 \\xFF\\xC3(");
}

TEST(JsonReport, OutputMatchesTheJsonSchema) {
    const SchemaValidator schema = results_schema();
    for (const RunResult& run : {mixed_run(), full_run(), RunResult{}}) {
        const std::vector<std::string> errors = schema.errors(json::parse(render_json(run)));
        EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
    }
}

TEST(JsonReport, SchemaRejectsBrokenDocuments) {
    const SchemaValidator schema = results_schema();
    json document = json::parse(render_json(mixed_run()));
    document["cases"][0]["outcome"] = "passed";
    document["cases"][1].erase("transcript");
    document["shard"] = "two of four";
    document["extra"] = true;
    std::vector<std::string> errors = schema.errors(document);
    std::sort(errors.begin(), errors.end());
    const std::vector<std::string> expected{
        R"(/: unexpected member extra)",
        R"(/cases/0/outcome: "passed" is not one of ["pass","fail","skip","waived","error"])",
        R"(/cases/1: missing "transcript")",
        R"(/shard: does not match "^[0-9]+(,[0-9]+)*/[0-9]+$")",
    };
    EXPECT_EQ(errors, expected);
}

TEST(JsonReport, RejectsNewerSchemaVersion) {
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["schema_version"] = 7; })),
              "results.json: schema_version 7 is newer than this mailharness understands (1); "
              "read it with a newer mailharness");
}

TEST(JsonReport, ErrorsNameTheJsonPointer) {
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["cases"][1]["outcome"] = "passed"; })),
              "results.json: /cases/1/outcome: \"passed\" is not one of pass, fail, skip, "
              "waived, error");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["cases"][0]["level"] = "must"; })),
              "results.json: /cases/0/level: \"must\" is not one of MUST, SHOULD, MAY");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["cases"][0].erase("title"); })),
              "results.json: /cases/0: missing member \"title\"");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["target"]["name"] = 5; })),
              "results.json: /target/name: expected a string");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["duration_ms"] = -1; })),
              "results.json: /duration_ms: expected a number of milliseconds >= 0");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["cases"][1]["failed_step"] = -2; })),
              "results.json: /cases/1/failed_step: expected a step index >= 0 or null");
    EXPECT_EQ(parse_error(rendered_with(
                  [](json& d) { d["cases"][1]["transcript"][0]["direction"] = "up"; })),
              "results.json: /cases/1/transcript/0/direction: \"up\" is not one of client, "
              "server, note");
    EXPECT_EQ(parse_error(rendered_with([](json& d) { d["cases"][2]["full_id"] = "x/3"; })),
              "results.json: /cases/2/full_id: expected \"a/3\" (suite + \"/\" + id)");
}

TEST(JsonReport, RejectsUnknownMembers) {
    const std::string message =
        parse_error(rendered_with([](json& d) { d["cases"][0]["verdict"] = "pass"; }));
    EXPECT_EQ(message.rfind("results.json: /cases/0/verdict: unknown member", 0), 0U) << message;
}

TEST(JsonReport, RejectsWhatIsNotAResultsFile) {
    EXPECT_EQ(parse_error("[1, 2]"),
              "results.json: not a mailharness results file (no \"schema_version\" member)");
    const std::string message = parse_error("{\"schema_version\": 1,");
    EXPECT_EQ(message.rfind("results.json: not valid JSON: ", 0), 0U) << message;
}

}  // namespace
}  // namespace mh::harness::report
