#pragma once
// Bytes the client writes for the `send:` forms that are not plain lines.

#include <cstddef>
#include <string>
#include <string_view>

namespace mh::harness::run {

// `raw:` escapes: \r \n \t \0 \\ and \xHH; any other backslash stays as written.
std::string decode_escapes(std::string_view text);

// The inverse, for the writers of suites (record, the fuzzer's reproducers): `bytes` as a
// single-quoted YAML scalar whose `raw:` escapes decode back to exactly `bytes`. CR, LF, TAB,
// backslash, other control bytes and bytes above 0x7E are escaped, so the file stays printable;
// a quote is YAML's ''.
std::string quote_raw(std::string_view bytes);

// `data:` message content: line ends (CRLF, bare LF, bare CR) normalised to CRLF, lines starting
// with "." dot-stuffed (RFC 5321 4.5.2), terminated by CRLF.CRLF.
std::string data_payload(std::string_view text);

// `bytes:` content: `bytes` octets (CRLFs included) in lines of at most `line_length` octets
// before their CRLF, then ".\r\n". Deterministic letters, never a leading ".".
std::string generated_payload(std::size_t bytes, std::size_t line_length);

}  // namespace mh::harness::run
