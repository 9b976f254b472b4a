# Every project target links mh_warnings; third-party headers come in as SYSTEM includes.
add_library(mh_warnings INTERFACE)
target_compile_options(mh_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough
  $<$<BOOL:${MH_WERROR}>:-Werror>)
