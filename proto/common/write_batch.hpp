#pragma once
// How the session machines hand out the replies they wrote into their output buffer: a small
// batch is copied, so the buffer keeps its capacity and the next replies are written without
// allocating; a large one (a RETR, a long pipelined burst) is moved out, so an idle session never
// holds on to a big buffer.

#include <cstddef>
#include <string>
#include <utility>

namespace mh::proto {

inline constexpr std::size_t reused_write_buffer = 4096;

// Returns the buffer's bytes and leaves it empty.
inline std::string take_write_batch(std::string& buffer) {
    std::string batch = buffer.capacity() <= reused_write_buffer ? buffer : std::move(buffer);
    buffer.clear();
    return batch;
}

}  // namespace mh::proto
