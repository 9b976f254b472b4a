# Build switches. Defaults suit a developer build; CMakePresets.json names the common sets.
option(MH_BUILD_TESTS "Build the GoogleTest suites and register them with CTest" ON)
option(MH_BUILD_BENCH "Build the Google Benchmark programs in bench/" ON)
option(MH_WERROR "Treat compiler warnings as errors" ON)
option(MH_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(MH_TSAN "Build everything with ThreadSanitizer (not together with MH_SANITIZE)" OFF)
option(MH_FUZZ "Link the fuzz targets to libFuzzer (needs clang); otherwise to a replay main" OFF)

if(MH_SANITIZE AND MH_TSAN)
  message(FATAL_ERROR "MH_SANITIZE and MH_TSAN cannot be combined: pick one")
endif()
if(MH_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "MH_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
