// The requirement catalogue loader (schema errors with positions) and coverage measurement.
#include "harness/coverage.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/scenario/suite_loader.hpp"

namespace mh::harness {
namespace {

constexpr const char* two_requirements = R"(rfc: RFC9999
title: Test protocol
requirements:
  - {id: RFC9999-1-a, section: "1", level: MUST, text: greets, observable: true}
  - {id: RFC9999-2-a, section: "2", level: SHOULD NOT, text: no junk, observable: false, reason: internal}
)";

std::string only_error(const CatalogueLoad& load) {
    EXPECT_EQ(load.errors.size(), 1u);
    return load.errors.empty() ? "" : load.errors.front().format();
}

TEST(CatalogueTest, ParsesEntries) {
    const auto load = parse_catalogue(two_requirements, "c.yaml");
    ASSERT_TRUE(load.errors.empty()) << load.errors.front().format();
    ASSERT_EQ(load.requirements.size(), 2u);
    const Requirement& first = load.requirements[0];
    EXPECT_EQ(first.id, "RFC9999-1-a");
    EXPECT_EQ(first.rfc, "RFC9999");
    EXPECT_EQ(first.section, "1");
    EXPECT_EQ(first.level, RequirementLevel::must);
    EXPECT_TRUE(first.observable);
    EXPECT_EQ(first.position.line, 4);
    const Requirement& second = load.requirements[1];
    EXPECT_EQ(second.level, RequirementLevel::should_not);
    EXPECT_FALSE(second.observable);
    EXPECT_EQ(second.reason, "internal");
}

TEST(CatalogueTest, LevelsRoundTripAndMandatoryOnes) {
    for (const char* name : {"MUST", "MUST NOT", "SHALL", "SHALL NOT", "REQUIRED", "SHOULD",
                             "SHOULD NOT", "RECOMMENDED", "MAY"}) {
        const auto level = parse_requirement_level(name);
        ASSERT_TRUE(level) << name;
        EXPECT_STREQ(to_string(*level), name);
    }
    EXPECT_FALSE(parse_requirement_level("must"));
    EXPECT_TRUE(is_mandatory(RequirementLevel::must_not));
    EXPECT_TRUE(is_mandatory(RequirementLevel::required));
    EXPECT_FALSE(is_mandatory(RequirementLevel::should));
    EXPECT_FALSE(is_mandatory(RequirementLevel::may));
}

TEST(CatalogueTest, UnknownLevelIsAnErrorAtItsPosition) {
    const auto load = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", level: OUGHT, text: x, observable: true}
)",
                                      "c.yaml");
    const std::string error = only_error(load);
    EXPECT_NE(error.find("c.yaml:3:"), std::string::npos) << error;
    EXPECT_NE(error.find("unknown level \"OUGHT\""), std::string::npos) << error;
    EXPECT_TRUE(load.requirements.empty());
}

TEST(CatalogueTest, UnobservableNeedsAReason) {
    const auto load = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", level: MUST, text: x, observable: false}
)",
                                      "c.yaml");
    EXPECT_NE(only_error(load).find("say why with `reason: ...`"), std::string::npos);
}

TEST(CatalogueTest, IdMustStartWithTheFilesRfc) {
    const auto load = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC1111-1-a, section: "1", level: MUST, text: x, observable: true}
)",
                                      "c.yaml");
    EXPECT_NE(only_error(load).find("must start with \"RFC9999-\""), std::string::npos);
}

TEST(CatalogueTest, DuplicateIdKeepsTheFirst) {
    const auto load = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", level: MUST, text: first, observable: true}
  - {id: RFC9999-1-a, section: "1", level: MAY, text: second, observable: true}
)",
                                      "c.yaml");
    const std::string error = only_error(load);
    EXPECT_NE(error.find("c.yaml:4:"), std::string::npos) << error;
    EXPECT_NE(error.find("already used at c.yaml:3"), std::string::npos) << error;
    ASSERT_EQ(load.requirements.size(), 1u);
    EXPECT_EQ(load.requirements[0].text, "first");
}

TEST(CatalogueTest, MissingAndUnknownKeysAreReported) {
    const auto load = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", text: x, observable: true, note: y}
)",
                                      "c.yaml");
    ASSERT_EQ(load.errors.size(), 2u);
    std::string all;
    for (const auto& error : load.errors) {
        all += error.format() + "\n";
    }
    EXPECT_NE(all.find("level"), std::string::npos) << all;
    EXPECT_NE(all.find("note"), std::string::npos) << all;
}

TEST(CatalogueTest, BrokenYamlIsAnError) {
    const auto load = parse_catalogue("rfc: [unclosed\n", "c.yaml");
    EXPECT_NE(only_error(load).find("not valid YAML"), std::string::npos);
}

TEST(CatalogueTest, MissingFolderIsAnError) {
    const auto load = load_catalogue("/nonexistent/requirements");
    EXPECT_NE(only_error(load).find("no such folder"), std::string::npos);
}

scenario::Suite suite_citing(const std::string& ids) {
    const std::string yaml =
        "suite: s\nprotocol: smtp\nspec: RFC9999\ncases:\n"
        "  - id: a\n    title: A\n    requirements: [" +
        ids +
        "]\n    steps: [{expect: 220}]\n"
        "  - id: b\n    title: B\n    requirements: [RFC9999-1-a]\n"
        "    steps: [{expect: 220}]\n";
    auto load = scenario::parse_suite(yaml, "s.yaml", ".");
    EXPECT_TRUE(load.errors.empty()) << load.errors.front().format();
    return load.suite.value_or(scenario::Suite{});
}

TEST(CoverageTest, CountsCasesPerRequirementAndRfc) {
    const auto catalogue = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", level: MUST, text: a, observable: true}
  - {id: RFC9999-1-b, section: "1", level: MAY, text: b, observable: true}
  - {id: RFC9999-1-c, section: "1", level: MUST NOT, text: c, observable: true}
  - {id: RFC9999-1-d, section: "1", level: MUST, text: d, observable: false, reason: off-wire}
)",
                                           "c.yaml");
    ASSERT_TRUE(catalogue.errors.empty());
    const auto coverage =
        measure_coverage(catalogue.requirements, {suite_citing("RFC9999-1-a, RFC9999-1-a")});
    ASSERT_EQ(coverage.requirements.size(), 4u);
    EXPECT_EQ(coverage.requirements[0].cases, (std::vector<std::string>{"s/a", "s/b"}));
    EXPECT_TRUE(coverage.unknown.empty());

    const auto per_rfc = coverage.per_rfc();
    ASSERT_EQ(per_rfc.size(), 1u);
    EXPECT_EQ(per_rfc[0].rfc, "RFC9999");
    EXPECT_EQ(per_rfc[0].observable, 3u);
    EXPECT_EQ(per_rfc[0].covered, 1u);
    EXPECT_EQ(per_rfc[0].mandatory_uncovered, 1u);

    const auto uncovered = coverage.uncovered();  // MUST NOT before MAY; unobservable left out
    ASSERT_EQ(uncovered.size(), 2u);
    EXPECT_EQ(uncovered[0]->id, "RFC9999-1-c");
    EXPECT_EQ(uncovered[1]->id, "RFC9999-1-b");
    EXPECT_TRUE(coverage.mandatory_gap());
}

TEST(CoverageTest, NoGapWhenOnlyMayIsUncovered) {
    const auto catalogue = parse_catalogue(R"(rfc: RFC9999
requirements:
  - {id: RFC9999-1-a, section: "1", level: MUST, text: a, observable: true}
  - {id: RFC9999-1-b, section: "1", level: MAY, text: b, observable: true}
)",
                                           "c.yaml");
    const auto coverage = measure_coverage(catalogue.requirements, {suite_citing("RFC9999-1-a")});
    EXPECT_FALSE(coverage.mandatory_gap());
    EXPECT_EQ(coverage.uncovered().size(), 1u);
}

TEST(CoverageTest, UnknownIdsAreReportedWithTheCase) {
    const auto catalogue = parse_catalogue(two_requirements, "c.yaml");
    const auto coverage = measure_coverage(catalogue.requirements, {suite_citing("RFC9999-7-z")});
    ASSERT_EQ(coverage.unknown.size(), 1u);
    EXPECT_EQ(coverage.unknown[0].case_id, "s/a");
    EXPECT_EQ(coverage.unknown[0].requirement, "RFC9999-7-z");
    EXPECT_EQ(coverage.unknown[0].position.file, "s.yaml");
}

// The repository's catalogue is well-formed and covers the RFCs the suites are written to.
TEST(RepositoryCatalogueTest, LoadsWithoutErrors) {
    const auto load = load_catalogue(std::string(MH_SOURCE_DIR) + "/suites/requirements");
    for (const auto& error : load.errors) {
        ADD_FAILURE() << error.format();
    }
    std::set<std::string> rfcs;
    for (const auto& requirement : load.requirements) {
        rfcs.insert(requirement.rfc);
    }
    EXPECT_EQ(rfcs, (std::set<std::string>{"RFC1870", "RFC1939", "RFC2034", "RFC2449", "RFC2595",
                                           "RFC2920", "RFC3030", "RFC3207", "RFC3463", "RFC4616",
                                           "RFC4954", "RFC5034", "RFC5321", "RFC6152", "RFC6409",
                                           "RFC6531", "RFC8314"}));
}

}  // namespace
}  // namespace mh::harness
