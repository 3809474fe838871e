# The plugin SDK end to end, as a third-party author would use it (run by ctest, label "slow"):
#   1. cmake --install the project into a temporary prefix
#   2. configure and build the example-sensor plugin that the install carries
#      (<prefix>/share/adapt/plugins/example-sensor) against it (find_package(Adapt))
#   3. load it through ADAPT_PLUGIN_PATH: `adapt plugins info sensor`, `adapt --json plugins list`
#   4. run its demo with the installed `adapt`
#   5. build and run its conformance tests (tests/, the kit <adapt/testing/conformance.h>) against the
#      installed SDK, as an author would
#   6. build the embedding host the install carries (share/adapt/examples/embed) against it, and train
#      the core demo's recipe and predict with it
#   7. compile and run a program with nothing but `pkg-config --cflags --libs adapt`, and check that the
#      bash completion the install carries completes a command
# Inputs: ADAPT_BINARY_DIR, ADAPT_SOURCE_DIR, WORK_DIR.
cmake_minimum_required(VERSION 3.18)

function(run)
  cmake_parse_arguments(ARG "" "NAME" "COMMAND;ENV" ${ARGN})
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ARG_ENV} ${ARG_COMMAND}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARG_NAME} failed (exit ${rc}):\n${ARG_COMMAND}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/sensor-build)
file(REMOVE_RECURSE ${prefix} ${WORK_DIR}/runs)
file(MAKE_DIRECTORY ${WORK_DIR})

run(NAME "install" COMMAND ${CMAKE_COMMAND} --install ${ADAPT_BINARY_DIR} --prefix ${prefix})
foreach(required bin/adapt lib/libadapt_cli.so lib/adapt/adapt-plugin-scanner include/adapt/plugin/plugin.h
        include/adapt/testing/conformance.h lib/cmake/Adapt/AdaptConfig.cmake
        lib/cmake/Adapt/AdaptTargets.cmake lib/cmake/Adapt/AdaptPlugin.cmake
        share/doc/adapt/writing-a-plugin.md share/doc/adapt/recipes.md share/doc/adapt/README.md
        share/adapt/plugins/template/CMakeLists.txt share/adapt/plugins/example-sensor/CMakeLists.txt
        share/adapt/recipes/README.md share/adapt/recipes/tabular-adult.json
        share/adapt/examples/embed/CMakeLists.txt share/adapt/examples/embed/main.cpp
        lib/pkgconfig/adapt.pc share/bash-completion/completions/adapt)
  if(NOT EXISTS ${prefix}/${required})
    message(FATAL_ERROR "cmake --install did not install ${required}")
  endif()
endforeach()

set(launcher "")
find_program(CCACHE ccache)
if(CCACHE)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()
# A build folder configured from another source folder (an older layout of this test) is started afresh.
if(EXISTS ${build}/CMakeCache.txt)
  file(STRINGS ${build}/CMakeCache.txt home REGEX "^CMAKE_HOME_DIRECTORY:INTERNAL=")
  if(NOT home STREQUAL "CMAKE_HOME_DIRECTORY:INTERNAL=${prefix}/share/adapt/plugins/example-sensor")
    file(REMOVE_RECURSE ${build})
  endif()
endif()
set(generator "")
find_program(NINJA ninja)
if(NINJA AND NOT EXISTS ${build}/CMakeCache.txt)
  set(generator -G Ninja)
endif()
run(NAME "configure example-sensor" COMMAND ${CMAKE_COMMAND} -S ${prefix}/share/adapt/plugins/example-sensor -B ${build}
    ${generator} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DBUILD_TESTING=ON ${launcher})
run(NAME "build example-sensor" COMMAND ${CMAKE_COMMAND} --build ${build} -j 2)
if(NOT EXISTS ${build}/plugins/libsensor.so)
  message(FATAL_ERROR "the out-of-tree build did not produce ${build}/plugins/libsensor.so")
endif()

# The plugin cache goes to the work folder, not the user's ~/.cache.
set(env ADAPT_PLUGIN_PATH=${build}/plugins XDG_CACHE_HOME=${WORK_DIR}/cache)
run(NAME "adapt plugins info sensor" ENV ${env} COMMAND ${prefix}/bin/adapt plugins info sensor)
foreach(component "reader sensor.series" "block sensor.window" "transform sensor.jitter" "model sensor.cnn1d"
        "baseline sensor.centroid" "demo sensor.activity")
  string(FIND "${run_output}" "${component}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "`adapt plugins info sensor` does not list ${component}:\n${run_output}")
  endif()
endforeach()

run(NAME "adapt plugins list" ENV ${env} COMMAND ${prefix}/bin/adapt --json plugins list)
string(JSON n_plugins LENGTH "${run_output}" plugins)
set(found_sensor FALSE)
math(EXPR last "${n_plugins} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${run_output}" plugins ${i} name)
  string(JSON file GET "${run_output}" plugins ${i} file)
  if(name STREQUAL "sensor")
    set(found_sensor TRUE)
    string(FIND "${file}" "${build}/plugins" at)
    if(NOT at EQUAL 0)
      message(FATAL_ERROR "sensor was loaded from ${file}, not from ${build}/plugins")
    endif()
  endif()
endforeach()
if(NOT found_sensor)
  message(FATAL_ERROR "`adapt plugins list` does not show the sensor plugin:\n${run_output}")
endif()

run(NAME "adapt demo sensor" ENV ${env} COMMAND ${prefix}/bin/adapt --json demo sensor --out ${WORK_DIR}/runs)
string(JSON accuracy GET "${run_output}" sensor.activity metrics valid accuracy)
string(JSON baseline GET "${run_output}" sensor.activity baselines sensor.centroid valid accuracy)
message(STATUS "sensor demo: valid accuracy ${accuracy} (centroid baseline ${baseline})")
# Four balanced classes: chance is 0.25. The signal is strong, so a working pipeline clears 0.6.
if(accuracy LESS 0.6)
  message(FATAL_ERROR "sensor demo accuracy ${accuracy} is too low: the pipeline is broken\n${run_output}")
endif()

# The conformance kit from the installed headers on the out-of-tree plugin: the sensor's own test
# binary, run by its own ctest (the four tests of ADAPT_CONFORMANCE_SUITE, none skipped).
if(NOT EXISTS ${build}/tests/sensor_conformance)
  message(FATAL_ERROR "the out-of-tree build did not produce ${build}/tests/sensor_conformance")
endif()
run(NAME "ctest of example-sensor's conformance tests" COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${build}
    --output-on-failure)
foreach(test Options Components Demo Coverage)
  string(FIND "${run_output}" "SensorConformance.${test} " at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the sensor's ctest did not run SensorConformance.${test}:\n${run_output}")
  endif()
endforeach()
string(FIND "${run_output}" "100% tests passed, 0 tests failed out of 4" passed)
string(FIND "${run_output}" "Skipped" skipped)
if(passed EQUAL -1 OR NOT skipped EQUAL -1)
  message(FATAL_ERROR "the sensor's conformance tests did not all pass:\n${run_output}")
endif()
message(STATUS "sensor conformance: 4 tests passed")

# 6. The embedding host, built from the install alone, trains the core demo's recipe and predicts.
set(embed_build ${WORK_DIR}/embed-build)
file(REMOVE_RECURSE ${embed_build} ${WORK_DIR}/embed-run)
run(NAME "adapt demo core.demo" ENV ${env} COMMAND ${prefix}/bin/adapt demo core.demo --out ${WORK_DIR}/runs)
run(NAME "configure the embed example" COMMAND ${CMAKE_COMMAND} -S ${prefix}/share/adapt/examples/embed
    -B ${embed_build} ${generator} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} ${launcher})
run(NAME "build the embed example" COMMAND ${CMAKE_COMMAND} --build ${embed_build} -j 2)
run(NAME "embed example: train and predict" ENV ${env}
    COMMAND ${embed_build}/adapt_embed_example ${WORK_DIR}/runs/core.demo/recipe.json ${WORK_DIR}/embed-run
            "0.1,0.2,0.5,-1.0,0.3,0.0")
# Keys print sorted: the out-of-domain fields come before the label.
foreach(expected "metrics: " "core.logistic" "0.1,0.2,0.5,-1.0,0.3,0.0\t{\"in_domain\":" "\"label\":" "\"ood_score\":")
  string(FIND "${run_output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the embed example's output lacks '${expected}':\n${run_output}")
  endif()
endforeach()
if(NOT EXISTS ${WORK_DIR}/embed-run/model.adapt)
  message(FATAL_ERROR "the embed example wrote no ${WORK_DIR}/embed-run/model.adapt")
endif()
message(STATUS "embed example: trained and predicted from the install")

# 7. pkg-config alone is enough to compile against the install.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  run(NAME "pkg-config adapt" ENV PKG_CONFIG_PATH=${prefix}/lib/pkgconfig
      COMMAND ${PKG_CONFIG} --cflags --libs adapt)
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(WRITE ${WORK_DIR}/pc_version.cpp "#include <adapt/common/version.h>\n#include <iostream>\n"
       "int main() { std::cout << adapt::version() << \"\\n\"; }\n")
  run(NAME "compile with pkg-config's flags" COMMAND c++ ${WORK_DIR}/pc_version.cpp -o ${WORK_DIR}/pc_version ${flags})
  run(NAME "run the pkg-config program" COMMAND ${WORK_DIR}/pc_version)
  string(FIND "${run_output}" "0." at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "the program built with pkg-config's flags printed '${run_output}', not adapt's version")
  endif()
  message(STATUS "pkg-config: compiled and ran against the install")
endif()
set(complete_tr "COMP_WORDS=(adapt tr) && COMP_CWORD=1 && _adapt && echo \"\${COMPREPLY[*]}\"")
run(NAME "bash completion" COMMAND bash -c "source ${prefix}/share/bash-completion/completions/adapt && ${complete_tr}")
string(STRIP "${run_output}" completed)
if(NOT completed STREQUAL "train")
  message(FATAL_ERROR "the installed bash completion completes `adapt tr` to '${completed}', not 'train'")
endif()
