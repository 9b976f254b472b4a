#pragma once
// Text from a peer is arbitrary bytes; every report format accepts only some characters (XML 1.0
// forbids most control characters, JSON and terminals need valid UTF-8). These helpers keep what
// a format can carry and spell every other byte as \xHH, the transcripts' own escape convention,
// so nothing is dropped silently.

#include <string>
#include <string_view>

namespace mh::harness::report::detail {

using CodePointFilter = bool (*)(char32_t);

// Copies the UTF-8 code points of `text` that `keep` accepts; writes each byte of an invalid
// sequence or of a rejected code point as \xHH.
std::string escape_bytes(std::string_view text, CodePointFilter keep);

bool any_code_point(char32_t);  // valid UTF-8 is kept whole
bool xml_char(char32_t);        // the Char production of XML 1.0 (section 2.2)
bool printable_char(char32_t);  // no C0 controls except TAB, no DEL, no C1 controls

}  // namespace mh::harness::report::detail
