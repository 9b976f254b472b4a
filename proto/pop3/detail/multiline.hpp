#pragma once
// The body of a POP3 multi-line response (RFC 1939 3): lines starting with '.' get one more '.'
// (byte-stuffing) and the body ends with CRLF "." CRLF.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mh::proto::pop3::detail {

// Appends `text` byte-stuffed plus the terminating ".\r\n". A last line without CRLF gets one,
// so the terminator always starts a line. With `body_lines` set (TOP, RFC 1939 7) only the
// header section, the blank line and that many body lines are sent.
void append_multiline(std::string& out, std::string_view text,
                      std::optional<std::size_t> body_lines = std::nullopt);

}  // namespace mh::proto::pop3::detail
