# The plugin SDK's CMake helpers. Used in-tree by the first-party plugins and installed with
# find_package(Adapt) for third-party plugins.
include_guard(GLOBAL)

# Precompiles <torch/torch.h> for a target: a TU including it otherwise takes about 15 s to compile.
function(adapt_use_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()

# adapt_add_plugin(NAME SOURCES src1.cpp ... [LIBRARIES lib ...])
# Builds lib<NAME>.so with hidden visibility (only the ADAPT_PLUGIN entry point is exported), puts it
# in the plugin directory the host searches, and installs it into <prefix>/lib/adapt/plugins.
function(adapt_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "adapt_add_plugin(${name}): give SOURCES")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Adapt::core ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY "${ADAPT_BUILD_PLUGIN_DIR}")
  if(NOT DEFINED ADAPT_BUILD_PLUGIN_DIR)
    # Out of tree: plugins land in <build>/plugins, for ADAPT_PLUGIN_PATH.
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins")
  endif()
  target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  adapt_use_torch_pch(${name})
  if(NOT DEFINED ADAPT_INSTALL_PLUGIN_DIR)
    set(ADAPT_INSTALL_PLUGIN_DIR ${CMAKE_INSTALL_LIBDIR}/adapt/plugins)
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${ADAPT_INSTALL_PLUGIN_DIR})
endfunction()
