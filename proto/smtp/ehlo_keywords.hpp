#pragma once
// The service extensions an EHLO reply advertises (RFC 5321 4.1.1.1: every line after the
// first is "keyword [params]"), for SMTP clients (the send client, the relay).

#include <map>
#include <string>

#include "proto/smtp/reply.hpp"

namespace mh::proto::smtp {

// Keyword -> parameters, both upper-cased ("SIZE" -> "10240000", "AUTH" -> "PLAIN LOGIN").
using EhloKeywords = std::map<std::string, std::string>;

EhloKeywords parse_ehlo_keywords(const Reply& ehlo_reply);

}  // namespace mh::proto::smtp
