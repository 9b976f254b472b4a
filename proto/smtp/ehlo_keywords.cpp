#include "proto/smtp/ehlo_keywords.hpp"

#include <algorithm>
#include <cctype>

namespace mh::proto::smtp {
namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return text;
}

}  // namespace

EhloKeywords parse_ehlo_keywords(const Reply& ehlo_reply) {
    EhloKeywords keywords;
    const auto& lines = ehlo_reply.lines;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto space = lines[i].find(' ');
        keywords[upper(lines[i].substr(0, space))] =
            space == std::string::npos ? "" : upper(lines[i].substr(space + 1));
    }
    return keywords;
}

}  // namespace mh::proto::smtp
