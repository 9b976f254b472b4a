#pragma once
// Wording shared by the human-readable reports (console, Markdown, JUnit, HTML, diff), so that a
// case reads the same in every one of them.

#include <string>
#include <string_view>
#include <vector>

#include "harness/result.hpp"

namespace mh::harness::report::detail {

// "RFC5321 4.1.1.10" (or whichever of the two is set).
std::string spec_ref(const CaseResult& result);
// "C: EHLO x", "S: 250 ok", "# note"; a named connection is prefixed: "[second] C: USER bob".
// The text is escaped to printable characters (the terminal and the CI page show it).
std::string transcript_line(const TranscriptLine& line);
// "PASS", "FAIL", "SKIP", "WAIVED", "ERROR"
const char* outcome_label(Outcome outcome);
// Why a case did not pass, in a few words (empty for a pass).
std::string outcome_reason(const CaseResult& result);
// Text for HTML element content and attribute values: printable, with & < > " ' as entities.
std::string html_text(std::string_view text);
// "93.1%", rounded down
std::string percent(double ratio);
// The cases with `outcome`, MUST first, then SHOULD, then MAY; run order within a level.
std::vector<const CaseResult*> by_level(const RunResult& run, Outcome outcome);

}  // namespace mh::harness::report::detail
