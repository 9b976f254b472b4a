#pragma once
// Clearing a parser's per-message storage: kept for the next message (no allocation once it is
// large enough), unless it has grown past a bound and a parser living for a connection should
// not hold it after one huge message.

#include <cstddef>
#include <vector>

namespace mh::proto {

// Empties `items`; gives their storage back when its capacity is over `kept_bytes`.
template <class Item>
void clear_within(std::vector<Item>& items, std::size_t kept_bytes) {
    if (items.capacity() * sizeof(Item) > kept_bytes) {
        std::vector<Item>().swap(items);  // a move or clear() would keep the buffer
    }
    items.clear();
}

}  // namespace mh::proto
