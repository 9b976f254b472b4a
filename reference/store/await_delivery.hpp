#pragma once
// Awaits a store or queue operation that reports through a DeliveryCompletion (called once, on
// the committer thread): the coroutine resumes on its own executor with the result.

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "reference/store/group_commit.hpp"

namespace mh::reference {

// Runs `submit(done)` and resumes once `done` is called.
template <typename Submit>
boost::asio::awaitable<DeliveryResult> await_delivery(Submit submit) {
    namespace asio = boost::asio;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(DeliveryResult)>(
        [submit](auto handler) mutable {
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            submit([shared](DeliveryResult result) {
                auto executor = asio::get_associated_executor(*shared);
                asio::post(executor, [shared, result = std::move(result)]() mutable {
                    std::move (*shared)(std::move(result));
                });
            });
        },
        asio::use_awaitable);
}

}  // namespace mh::reference
