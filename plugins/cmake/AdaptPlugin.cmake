# The plugin SDK's CMake helpers. Used in-tree by the first-party plugins and installed with
# find_package(Adapt) for third-party plugins.
include_guard(GLOBAL)
if(NOT DEFINED CMAKE_INSTALL_LIBDIR)
  include(GNUInstallDirs)
endif()

# One precompiled <torch/torch.h> per build tree, reused by every target (REUSE_FROM): a TU that
# parses it takes about 15 s, and one PCH per target cost minutes and defeated ccache.
# GCC accepts a PCH only when -fPIC/-fPIE match and no macro defined at its creation is missing, so
# the PCH target defines nothing of its own, and executables compile with -fPIC (still linked as
# PIE). Extra definitions in a using target (<target>_EXPORTS, ADAPT_TEST_*) are harmless.
function(adapt_use_torch_pch target)
  if(NOT TARGET adapt_torch_pch)
    set(anchor "${CMAKE_BINARY_DIR}/adapt_torch_pch.cpp")
    if(NOT EXISTS "${anchor}")
      file(WRITE "${anchor}" "// Anchor of the shared precompiled header (adapt_use_torch_pch).\n")
    endif()
    add_library(adapt_torch_pch OBJECT "${anchor}")
    set_target_properties(adapt_torch_pch PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_link_libraries(adapt_torch_pch PRIVATE torch)
    target_precompile_headers(adapt_torch_pch PRIVATE <torch/torch.h>)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
  target_precompile_headers(${target} REUSE_FROM adapt_torch_pch)
endfunction()

# adapt_add_plugin(NAME SOURCES src1.cpp ... [LIBRARIES lib ...])   (in a project() with a VERSION)
# Builds lib<NAME>.so with hidden visibility (only the ADAPT_PLUGIN entry point is exported), puts it
# in the plugin directory the host searches, and installs it into <prefix>/lib/adapt/plugins.
# In tree that directory is the build tree's lib/adapt/plugins; out of tree it is <build>/plugins,
# to be named in ADAPT_PLUGIN_PATH or --plugin-path.
function(adapt_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "adapt_add_plugin(${name}): give SOURCES")
  endif()
  if(NOT PROJECT_VERSION)
    message(FATAL_ERROR "adapt_add_plugin(${name}): give the project a version, project(... VERSION 1.2.3); "
                        "the plugin reports it as ADAPT_PLUGIN_VERSION")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  # The version a plugin declares in ADAPT_PLUGIN(..., ADAPT_PLUGIN_VERSION, ...): its project's.
  target_compile_definitions(${name} PRIVATE ADAPT_PLUGIN_VERSION="${PROJECT_VERSION}")
  target_link_libraries(${name} PRIVATE Adapt::core ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${ADAPT_BUILD_PLUGIN_DIR}"
    # Installed plugins live in <libdir>/adapt/plugins and find libadapt_core.so two levels up.
    INSTALL_RPATH "$ORIGIN/../..")
  if(NOT DEFINED ADAPT_BUILD_PLUGIN_DIR)
    # Out of tree: plugins land in <build>/plugins, for ADAPT_PLUGIN_PATH.
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins")
  endif()
  # Every symbol must resolve at link time: a missing one would otherwise surface only when loaded.
  target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  adapt_use_torch_pch(${name})
  set(install_dir "${ADAPT_INSTALL_PLUGIN_DIR}")
  if(NOT install_dir)
    set(install_dir ${CMAKE_INSTALL_LIBDIR}/adapt/plugins)
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${install_dir})
  set_property(GLOBAL APPEND PROPERTY ADAPT_PLUGIN_TARGETS ${name})
  if(COMMAND adapt_batch_sources)  # in adapt's own tree
    adapt_batch_sources(${name})
  endif()
endfunction()
