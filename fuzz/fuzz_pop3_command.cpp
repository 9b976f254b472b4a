// POP3 command lines in the TRANSACTION state: the session has no separate command parser, so
// this target logs in first and then sends each line of the input (split at LF, 0xFF dropped) as
// its own turn, concentrating the fuzzer on verbs and message-number arguments (0, negative,
// huge such as 4772185884, leading zeros, extra spaces). Checked by the same model as
// fuzz_pop3_session (fuzz/support/pop3_model.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/fuzz_input.hpp"
#include "fuzz/support/pop3_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mh::fuzz::Pop3Model model;
    model.turn("USER alice\r\nPASS alice-pw\r\n");
    std::string_view input = mh::fuzz::as_text(data, size);
    static std::string command;  // reused across lines and inputs
    while (!input.empty()) {
        const auto end = input.find('\n');
        const auto line = input.substr(0, end == std::string_view::npos ? input.size() : end + 1);
        command.assign(line);
        std::erase(command, mh::fuzz::turn_separator);
        model.turn(command);
        input.remove_prefix(line.size());
    }
    model.finish();
    return 0;
}
