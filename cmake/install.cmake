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

# pkg-config for builds without CMake: `pkg-config --cflags --libs adapt`. The prefix is found from
# the .pc file's own place (pcfiledir), so `cmake --install --prefix P` anywhere works. LibTorch
# ships no .pc file: its include directories and libraries are written in as this build found them.
file(RELATIVE_PATH ADAPT_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
set(ADAPT_PC_TORCH_CFLAGS "${TORCH_CXX_FLAGS}")
foreach(dir ${TORCH_INCLUDE_DIRS})
  string(APPEND ADAPT_PC_TORCH_CFLAGS " -I${dir}")
endforeach()
get_filename_component(ADAPT_PC_TORCH_LIBDIR "${TORCH_LIBRARY}" DIRECTORY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/adapt.pc.in ${PROJECT_BINARY_DIR}/adapt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/adapt.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
