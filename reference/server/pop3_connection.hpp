#pragma once
// One POP3 connection: drives proto::pop3::Session over a Transport with the Maildir store.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "reference/server/context.hpp"

namespace mh::reference {

boost::asio::awaitable<void> serve_pop3(boost::asio::ip::tcp::socket socket, bool implicit_tls,
                                        ServerContext& context);

}  // namespace mh::reference
