// The path grammar (proto/smtp/address.hpp) on arbitrary text: reverse and forward paths,
// EHLO domains, path_length. Invariants: UTF-8 mode accepts a superset with the same result;
// literals allowed accepts a superset; a valid path ends where path_length says; a parsed
// mailbox written out again parses to the same mailbox, and its parts are within the limits;
// a mailbox's domain is itself a valid domain of the same kind.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/smtp_grammar.hpp"
#include "proto/smtp/address.hpp"

namespace {

using mh::fuzz::require;
namespace smtp = mh::proto::smtp;

void check_path(std::string_view text, bool forward) {
    const auto parse = forward ? smtp::parse_forward_path : smtp::parse_reverse_path;
    const auto plain = parse(text, {});
    const auto utf8 = parse(text, {.utf8 = true});
    if (!utf8) {
        require(!plain, "a path valid without UTF-8 is invalid with it");
        return;
    }
    require(smtp::path_length(text) == text.size(), "a valid path ends before path_length");
    if (plain) {
        require(plain->kind == utf8->kind && mh::fuzz::same_mailbox(plain->mailbox, utf8->mailbox),
                "UTF-8 mode parses an ASCII path differently");
    }
    mh::fuzz::check_path_round_trip(*utf8, forward);
    if (utf8->kind == smtp::Path::Kind::mailbox) {
        const auto domain = smtp::parse_domain(utf8->mailbox.domain, true, {.utf8 = true});
        require(domain.ok() && *domain == utf8->mailbox.domain_kind,
                "a mailbox's domain is not a domain of its kind on its own");
    }
}

void check_domain(std::string_view text) {
    const auto name_only = smtp::parse_domain(text, false, {.utf8 = true});
    const auto with_literal = smtp::parse_domain(text, true, {.utf8 = true});
    require(!name_only || (with_literal && *with_literal == *name_only),
            "allowing literals rejects or changes a plain domain");
    require(!name_only || *name_only == smtp::DomainKind::name,
            "a domain parsed as a literal while literals are not allowed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = mh::fuzz::as_text(data, size);
    check_path(text, false);
    check_path(text, true);
    check_domain(text);
    const std::size_t length = smtp::path_length(text);
    require(length == std::string_view::npos || (length > 0 && length <= text.size()),
            "path_length beyond the text");
    return 0;
}
