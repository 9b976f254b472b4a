#include "harness/scenario/load_error.hpp"

namespace mh::harness::scenario {

std::string LoadError::format() const {
    std::string out = position.file;
    if (position.line > 0) {
        out += ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
    }
    return out + ": error: " + message;
}

}  // namespace mh::harness::scenario
