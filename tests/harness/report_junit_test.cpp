#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/report/reports.hpp"
#include "report_test_runs.hpp"
#include "tests/support/shell_command.hpp"

namespace mh::harness::report {
namespace {

using testing::line;
using testing::mixed_run;

// Bytes a peer may send that XML 1.0 cannot carry, or that would end markup early.
const std::string nasty = std::string("250 \0NUL \x1b[31mESC ]]> & <tag> \"q\" 'a' \x7f\xff", 40);

RunResult nasty_run() {
    RunResult run = mixed_run();
    run.cases[1].transcript.push_back(line(TranscriptLine::Direction::server, nasty));
    run.cases[1].message = "two\nlines";
    run.cases[1].actual = nasty;
    return run;
}

// Runs xmllint with `arguments` on `document` (written to a temporary file).
mh::test::CommandOutcome xmllint(const std::string& arguments, const std::string& document) {
    const std::string xmllint_path = MH_XMLLINT;
    if (xmllint_path.empty() || xmllint_path.ends_with("NOTFOUND")) {
        ADD_FAILURE() << "xmllint not found: install Debian's libxml2-utils (ci/install-deps) "
                         "and re-run cmake";
        return {-1, ""};
    }
    static int counter = 0;
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() /
        ("mh-junit-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".xml");
    std::ofstream(file, std::ios::binary) << document;
    mh::test::CommandOutcome outcome =
        mh::test::run_shell(xmllint_path + " " + arguments + " " + file.string());
    std::filesystem::remove(file);
    return outcome;
}

mh::test::CommandOutcome validate(const std::string& document) {
    return xmllint("--noout --schema " MH_SOURCE_DIR "/tests/harness/data/junit.xsd", document);
}

// The XPath value as a real XML parser reads it (xmllint ends it with a newline of its own).
std::string xpath(const std::string& document, const std::string& expression) {
    mh::test::CommandOutcome result = xmllint("--xpath '" + expression + "'", document);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (result.output.ends_with('\n')) {
        result.output.pop_back();
    }
    return result.output;
}

TEST(JunitReport, ValidAgainstTheJunitSchema) {
    for (const RunResult& run : {mixed_run(), nasty_run(), RunResult{}}) {
        const mh::test::CommandOutcome result = validate(render_junit(run));
        EXPECT_EQ(result.exit_code, 0) << result.output;
    }
}

TEST(JunitReport, SchemaCatchesWhatReadersReject) {
    const mh::test::CommandOutcome result = validate(
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase classname=\"s\" time=\"x\"/>"
        "</testsuite></testsuites>");
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.output.find("'name' is required"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("'x' is not a valid value"), std::string::npos) << result.output;
}

TEST(JunitReport, OneSuitePerSuiteOneCasePerCase) {
    const std::string xml = render_junit(mixed_run());
    EXPECT_EQ(xpath(xml, "count(//testsuite)"), "2");
    EXPECT_EQ(xpath(xml, "count(//testcase)"), "6");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@tests)"), "6");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@failures)"), "1");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@errors)"), "1");
    EXPECT_EQ(xpath(xml, "string(/testsuites/@time)"), "1.234");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"a\"]/@tests)"), "3");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"a\"]/@failures)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"a\"]/@skipped)"), "1");  // the waiver
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"b\"]/@errors)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"b\"]/@skipped)"), "1");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"a\"]/@time)"), "0.036");
    EXPECT_EQ(xpath(xml, "string(//testsuite[@name=\"a\"]/@timestamp)"), "2026-11-26T17:02:10");
    EXPECT_EQ(xpath(xml, "string(//testcase[1]/@name)"), "1 (RFC5321 4.1.1.1)");
    EXPECT_EQ(xpath(xml, "string(//testcase[1]/@classname)"), "a");
    EXPECT_EQ(xpath(xml, "string(//testcase[1]/@time)"), "0.012");
}

TEST(JunitReport, FailureCarriesExpectedActualAndTranscript) {
    const std::string xml = render_junit(mixed_run());
    const std::string failure = "//testcase[@name=\"2 (RFC5321 4.1.1.1)\"]/failure";
    EXPECT_EQ(xpath(xml, "string(" + failure + "/@message)"), "wrong reply code");
    EXPECT_EQ(xpath(xml, "string(" + failure + "/@type)"), "MUST");
    EXPECT_EQ(xpath(xml, "string(" + failure + ")"),
              "RFC5321 4.1.1.1 MUST: case 2\n"
              "wrong reply code\n"
              "expected: 221\n"
              "actual:   250 2.0.0 ok\n"
              "failed at step 4\n"
              "\n"
              "transcript:\n"
              "S: 220 mx.example.test ESMTP\n"
              "C: QUIT\n"
              "S: 250 2.0.0 ok\n"
              "# expected 221\n");
}

TEST(JunitReport, SkipWaiverAndErrorElements) {
    const std::string xml = render_junit(mixed_run());
    EXPECT_EQ(xpath(xml, "string(//testcase[@classname=\"a\"][3]/skipped/@message)"),
              "waived: QUIT answer is known to be odd");
    EXPECT_EQ(xpath(xml, "string(//testcase[@classname=\"b\"][2]/skipped/@message)"),
              "requires STARTTLS, not advertised");
    EXPECT_EQ(xpath(xml, "string(//testcase[@classname=\"b\"][3]/error/@message)"),
              "TLS handshake failed: wrong version number");
    EXPECT_EQ(xpath(xml, "count(//testcase[@classname=\"b\"][1]/*)"), "0");  // a pass
}

TEST(JunitReport, EscapesWhatXmlCannotCarry) {
    const std::string xml = render_junit(nasty_run());
    EXPECT_EQ(xml.find('\0'), std::string::npos);
    EXPECT_EQ(xml.find('\x1b'), std::string::npos);
    EXPECT_EQ(xml.find("]]>"), std::string::npos);
    const std::string escaped = "250 \\x00NUL \\x1B[31mESC ]]> & <tag> \"q\" 'a' \x7f\\xFF";
    const std::string failure = "//testcase[@name=\"2 (RFC5321 4.1.1.1)\"]/failure";
    // The line breaks of an attribute survive (as &#10;), the rest reads back as escaped text.
    EXPECT_EQ(xpath(xml, "string(" + failure + "/@message)"), "two\nlines");
    const std::string body = xpath(xml, "string(" + failure + ")");
    EXPECT_NE(body.find("actual:   " + escaped + "\n"), std::string::npos) << body;
    EXPECT_NE(body.find("S: 250 \\x00NUL \\x1B[31mESC ]]> & <tag>"), std::string::npos) << body;
}

TEST(JunitReport, TimestampLeftOutWhenStartIsUnknown) {
    RunResult run = mixed_run();
    run.started_at = "yesterday";
    const std::string xml = render_junit(run);
    EXPECT_EQ(xml.find("timestamp="), std::string::npos);
    EXPECT_EQ(validate(xml).exit_code, 0);
}

}  // namespace
}  // namespace mh::harness::report
