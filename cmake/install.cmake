# Installation: `cmake --install build [--prefix P]` puts libadapt_core, its headers, the plugins
# (<libdir>/adapt/plugins), the `adapt` program and a CMake package in place, so third-party code can
#   find_package(Adapt REQUIRED)
#   target_link_libraries(app PRIVATE Adapt::core)   # or: adapt_add_plugin(myplugin SOURCES ...)
include(CMakePackageConfigHelpers)

set(ADAPT_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Adapt)

# The exported target is Adapt::core, the name in-tree code already uses through the alias.
set_target_properties(adapt_core PROPERTIES EXPORT_NAME core)
install(EXPORT AdaptTargets NAMESPACE Adapt:: DESTINATION ${ADAPT_CMAKE_INSTALL_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/AdaptConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AdaptConfig.cmake
  INSTALL_DESTINATION ${ADAPT_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR ADAPT_INSTALL_PLUGIN_DIR)
# Plugins must match the core's version exactly (the build fingerprint); minor versions are the
# compatibility boundary before 1.0.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/AdaptConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/AdaptConfig.cmake ${PROJECT_BINARY_DIR}/AdaptConfigVersion.cmake
  DESTINATION ${ADAPT_CMAKE_INSTALL_DIR})
