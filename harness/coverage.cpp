#include "harness/coverage.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "harness/scenario/detail/yaml_reader.hpp"

namespace mh::harness {

namespace {

using scenario::LoadError;
using scenario::Position;

constexpr std::array<std::pair<RequirementLevel, const char*>, 9> level_names = {{
    {RequirementLevel::must, "MUST"},
    {RequirementLevel::must_not, "MUST NOT"},
    {RequirementLevel::shall, "SHALL"},
    {RequirementLevel::shall_not, "SHALL NOT"},
    {RequirementLevel::required, "REQUIRED"},
    {RequirementLevel::should, "SHOULD"},
    {RequirementLevel::should_not, "SHOULD NOT"},
    {RequirementLevel::recommended, "RECOMMENDED"},
    {RequirementLevel::may, "MAY"},
}};

constexpr std::string_view entry_example =
    "{id: RFC5321-4.1.1.10-a, section: \"4.1.1.10\", level: MUST, text: ..., observable: true}";

class CatalogueParser {
  public:
    explicit CatalogueParser(const std::string& file_name) : reader_(file_name) {}

    CatalogueLoad parse(std::string_view yaml) {
        YAML::Node root;
        try {
            root = YAML::Load(std::string(yaml));
        } catch (const YAML::ParserException& e) {
            reader_.error(reader_.position(e.mark), "this is not valid YAML: " + e.msg);
            return finish();
        }
        if (!reader_.expect_map(root, "a catalogue file",
                                "rfc: RFC5321, title: ..., requirements: [...]")) {
            return finish();
        }
        reader_.check_keys(root, {"rfc", "title", "requirements"}, "a catalogue file");
        if (!reader_.require_key(root, "rfc", "a catalogue file", "rfc: RFC5321") ||
            !reader_.require_key(root, "requirements", "a catalogue file", "requirements: [...]")) {
            return finish();
        }
        rfc_ = reader_.non_empty_string(root["rfc"], "`rfc`").value_or("");
        const YAML::Node entries = root["requirements"];
        if (reader_.expect_sequence(entries, "`requirements`", "requirements: [{id: ...}]")) {
            for (const auto& entry : entries) {
                parse_entry(entry);
            }
        }
        return finish();
    }

  private:
    void parse_entry(const YAML::Node& node) {
        if (!reader_.expect_map(node, "a requirement", entry_example)) {
            return;
        }
        reader_.check_keys(node, {"id", "section", "level", "text", "observable", "reason"},
                           "a requirement");
        bool complete = true;
        for (const char* key : {"id", "section", "level", "text", "observable"}) {
            complete = reader_.require_key(node, key, "a requirement", entry_example) && complete;
        }
        if (!complete) {
            return;
        }
        Requirement requirement;
        requirement.position = reader_.position(node);
        requirement.rfc = rfc_;
        requirement.id = reader_.non_empty_string(node["id"], "`id`").value_or("");
        requirement.section = reader_.non_empty_string(node["section"], "`section`").value_or("");
        requirement.text = reader_.non_empty_string(node["text"], "`text`").value_or("");
        const auto level_text = reader_.string(node["level"], "`level`");
        const auto level = level_text ? parse_requirement_level(*level_text) : std::nullopt;
        if (level_text && !level) {
            reader_.error(node["level"], "unknown level \"" + *level_text +
                                             "\"; write MUST, MUST NOT, SHALL, SHALL NOT, "
                                             "REQUIRED, SHOULD, SHOULD NOT, RECOMMENDED or MAY");
        }
        const auto observable = reader_.boolean(node["observable"], "`observable`");
        if (node["reason"]) {
            requirement.reason = reader_.non_empty_string(node["reason"], "`reason`").value_or("");
        }
        if (observable == false && requirement.reason.empty()) {
            reader_.error(node, "requirement " + requirement.id +
                                    " is not observable: say why with `reason: ...`");
        }
        if (!requirement.id.empty() && !rfc_.empty() && requirement.id.rfind(rfc_ + "-", 0) != 0) {
            reader_.error(node["id"], "id " + requirement.id + " must start with \"" + rfc_ +
                                          "-\" (the file's rfc)");
        }
        if (!level || !observable || requirement.id.empty()) {
            return;
        }
        requirement.level = *level;
        requirement.observable = *observable;
        requirements_.push_back(std::move(requirement));
    }

    CatalogueLoad finish() {
        return CatalogueLoad{std::move(requirements_), reader_.take_errors()};
    }

    scenario::detail::YamlReader reader_;
    std::string rfc_;
    std::vector<Requirement> requirements_;
};

// Reports ids that appear twice (in one file or across files), keeping the first.
void drop_duplicates(CatalogueLoad& load) {
    std::map<std::string, Position> first;
    std::vector<Requirement> kept;
    for (auto& requirement : load.requirements) {
        const auto [at, inserted] = first.emplace(requirement.id, requirement.position);
        if (inserted) {
            kept.push_back(std::move(requirement));
            continue;
        }
        load.errors.push_back(LoadError{
            requirement.position, "requirement id " + requirement.id + " is already used at " +
                                      at->second.file + ":" + std::to_string(at->second.line) +
                                      "; give this one the next free letter of its section"});
    }
    load.requirements = std::move(kept);
}

}  // namespace

const char* to_string(RequirementLevel level) {
    for (const auto& [value, name] : level_names) {
        if (value == level) {
            return name;
        }
    }
    return "MUST";
}

std::optional<RequirementLevel> parse_requirement_level(std::string_view text) {
    for (const auto& [value, name] : level_names) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

bool is_mandatory(RequirementLevel level) {
    switch (level) {
        case RequirementLevel::must:
        case RequirementLevel::must_not:
        case RequirementLevel::shall:
        case RequirementLevel::shall_not:
        case RequirementLevel::required:
            return true;
        case RequirementLevel::should:
        case RequirementLevel::should_not:
        case RequirementLevel::recommended:
        case RequirementLevel::may:
            return false;
    }
    return true;
}

CatalogueLoad parse_catalogue(std::string_view yaml, const std::string& file_name) {
    CatalogueLoad load = CatalogueParser(file_name).parse(yaml);
    drop_duplicates(load);
    return load;
}

CatalogueLoad load_catalogue(const std::filesystem::path& folder) {
    CatalogueLoad out;
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
        out.errors.push_back(LoadError{Position{folder.string(), 0, 0},
                                       "no such folder (the catalogue is suites/requirements)"});
        return out;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const auto extension = entry.path().extension();
        if (entry.is_regular_file() && (extension == ".yaml" || extension == ".yml")) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        CatalogueLoad load = CatalogueParser(file.string()).parse(text.str());
        std::move(load.requirements.begin(), load.requirements.end(),
                  std::back_inserter(out.requirements));
        std::move(load.errors.begin(), load.errors.end(), std::back_inserter(out.errors));
    }
    drop_duplicates(out);
    return out;
}

std::vector<RfcCoverage> Coverage::per_rfc() const {
    std::vector<RfcCoverage> out;
    for (const auto& entry : requirements) {
        const Requirement& requirement = *entry.requirement;
        auto rfc = std::find_if(out.begin(), out.end(),
                                [&](const RfcCoverage& c) { return c.rfc == requirement.rfc; });
        if (rfc == out.end()) {
            RfcCoverage fresh;
            fresh.rfc = requirement.rfc;
            rfc = out.insert(out.end(), std::move(fresh));
        }
        if (!requirement.observable) {
            continue;
        }
        ++rfc->observable;
        if (!entry.cases.empty()) {
            ++rfc->covered;
        } else if (is_mandatory(requirement.level)) {
            ++rfc->mandatory_uncovered;
        }
    }
    return out;
}

std::vector<const Requirement*> Coverage::uncovered() const {
    std::vector<const Requirement*> out;
    for (const auto& entry : requirements) {
        if (entry.requirement->observable && entry.cases.empty()) {
            out.push_back(entry.requirement);
        }
    }
    std::stable_partition(out.begin(), out.end(),
                          [](const Requirement* r) { return is_mandatory(r->level); });
    return out;
}

bool Coverage::mandatory_gap() const {
    return std::any_of(requirements.begin(), requirements.end(), [](const auto& entry) {
        return entry.requirement->observable && entry.cases.empty() &&
               is_mandatory(entry.requirement->level);
    });
}

Coverage measure_coverage(const std::vector<Requirement>& catalogue,
                          const std::vector<scenario::Suite>& suites) {
    Coverage coverage;
    std::map<std::string, std::size_t> index;
    for (const auto& requirement : catalogue) {
        index.emplace(requirement.id, coverage.requirements.size());
        coverage.requirements.push_back(RequirementCoverage{&requirement, {}});
    }
    for (const auto& suite : suites) {
        for (const auto& kase : suite.cases) {
            const std::string case_id = suite.id + "/" + kase.id;
            for (const auto& id : kase.requirements) {
                const auto found = index.find(id);
                if (found == index.end()) {
                    coverage.unknown.push_back(UnknownRequirement{case_id, id, kase.position});
                    continue;
                }
                auto& cases = coverage.requirements[found->second].cases;
                if (std::find(cases.begin(), cases.end(), case_id) == cases.end()) {
                    cases.push_back(case_id);
                }
            }
        }
    }
    return coverage;
}

}  // namespace mh::harness
