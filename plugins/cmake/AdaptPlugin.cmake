# The plugin SDK's CMake helpers. Used in-tree by the first-party plugins and installed with
# find_package(Adapt) for third-party plugins.
include_guard(GLOBAL)
if(NOT DEFINED CMAKE_INSTALL_LIBDIR)
  include(GNUInstallDirs)
endif()

# Precompiles <torch/torch.h> for a target: a TU including it otherwise takes about 15 s to compile.
function(adapt_use_torch_pch target)
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()

# adapt_add_plugin(NAME SOURCES src1.cpp ... [LIBRARIES lib ...])
# Builds lib<NAME>.so with hidden visibility (only the ADAPT_PLUGIN entry point is exported), puts it
# in the plugin directory the host searches, and installs it into <prefix>/lib/adapt/plugins.
# In tree that directory is the build tree's lib/adapt/plugins; out of tree it is <build>/plugins,
# to be named in ADAPT_PLUGIN_PATH or --plugin-path.
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
endfunction()
