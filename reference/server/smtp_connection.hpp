#pragma once
// One SMTP connection: drives proto::smtp::Session over a Transport, delivering through the
// group commit (mailboxes) and the relay queue (foreign recipients) before the 250.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proto/smtp/session.hpp"
#include "reference/server/context.hpp"

namespace mh::reference {

boost::asio::awaitable<void> serve_smtp(boost::asio::ip::tcp::socket socket,
                                        proto::smtp::ListenerKind kind, ServerContext& context);

}  // namespace mh::reference
