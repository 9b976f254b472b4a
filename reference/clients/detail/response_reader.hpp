#pragma once
// Feeds a reply parser (SMTP ReplyParser or POP3 ResponseParser) from a connection until one
// reply is complete. Bytes past that reply stay in `pending` for the next one (pipelining).

#include <string>

#include "reference/clients/client_error.hpp"
#include "reference/clients/detail/connection.hpp"

namespace mh::reference::clients::detail {

template <typename Parser, typename IsComplete>
auto read_reply(Connection& connection, std::string& pending, Parser& parser,
                IsComplete is_complete) {
    while (!is_complete(parser)) {
        if (pending.empty()) {
            pending = connection.read_some();
            if (pending.empty()) {
                parser.put_eof();
                if (!is_complete(parser)) {
                    throw ClientError(ExitCode::protocol,
                                      "the server closed the connection instead of replying");
                }
                break;
            }
        }
        pending.erase(0, parser.put(pending));
    }
    return parser.take();
}

}  // namespace mh::reference::clients::detail
