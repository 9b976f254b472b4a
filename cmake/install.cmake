# `cmake --install`: the binary (cli/CMakeLists.txt), the bundled suites where `run` looks for
# them (<prefix>/share/mailharness/suites, relative to the binary), the docs, and the man page
# and bash completion generated from the CLI definition at build time (cli/conventions.hpp).
include(GNUInstallDirs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/suites/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mailharness/suites)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(TARGET mailharness)
  set(MH_GENERATED ${PROJECT_BINARY_DIR}/generated)
  add_custom_command(
    OUTPUT ${MH_GENERATED}/mailharness.1 ${MH_GENERATED}/mailharness.bash
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MH_GENERATED}
    COMMAND mailharness --generate-man-page ${MH_GENERATED}/mailharness.1
                        --generate-bash-completion ${MH_GENERATED}/mailharness.bash
    DEPENDS mailharness
    COMMENT "Generating the man page and the bash completion from the CLI")
  add_custom_target(mailharness_manual ALL
    DEPENDS ${MH_GENERATED}/mailharness.1 ${MH_GENERATED}/mailharness.bash)
  install(FILES ${MH_GENERATED}/mailharness.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${MH_GENERATED}/mailharness.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mailharness)
endif()
