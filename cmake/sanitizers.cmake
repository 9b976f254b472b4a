# Sanitizers apply to the whole build so that libraries and tests agree on the runtime.
if(MH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15)
    # Clang 14's -fsanitize=function (part of undefined) cannot compile C++20 coroutines: "error:
    # Cannot represent a difference across sections" (llvm-project issue 49689, fixed in 15).
    add_compile_options(-fno-sanitize=function)
  endif()
  if(MH_FUZZ)
    # The libFuzzer build leaves out UBSan's pointer-overflow check, as OSS-Fuzz's and
    # ClusterFuzzLite's UBSan flags do. Its checks are integer comparisons, which coverage
    # tracing turns into calls that fill libFuzzer's table of recent comparisons with addresses
    # (no use as mutation operands): 36 % of fuzz_smtp_reply's traced comparisons. An access out
    # of bounds is still ASan's to report; the gcc ASan + UBSan build (asan preset) keeps the
    # check and replays every corpus input (docs/fuzzing.md, "Sanitizer checks and tracing").
    add_compile_options(-fno-sanitize=pointer-overflow)
  endif()
endif()
if(MH_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 warns that std::atomic_thread_fence (in Boost.Asio's fenced blocks) is not
    # instrumented; -Werror would make that fatal. The handlers it fences are also published
    # through the io_context's mutex, which TSan does see.
    add_compile_options(-Wno-tsan)
  endif()
endif()
