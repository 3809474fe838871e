# ADAPT_SANITIZE: AddressSanitizer + UBSan on everything this tree compiles; LibTorch and the other
# Debian libraries stay uninstrumented. ADAPT_FUZZ adds libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link) to the same objects, so one build serves the harnesses and the unit tests
# (the sanitizer runtime defines the coverage hooks the tests then call). See fuzz/README.md.
if(ADAPT_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "ADAPT_FUZZ needs clang for libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++-14")
endif()

if(ADAPT_SANITIZE)
  # Any UB report aborts (fails the test or the fuzzer) instead of printing and carrying on.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # The runtime options every instrumented program starts with (fuzz/sanitizer_options.cpp), so
  # ctest, the fuzz script and a developer's manual run behave the same without environment variables.
  add_library(adapt_sanitizer_options OBJECT ${PROJECT_SOURCE_DIR}/fuzz/sanitizer_options.cpp)
  target_compile_definitions(adapt_sanitizer_options PRIVATE
    ADAPT_LSAN_SUPPRESSIONS="${PROJECT_SOURCE_DIR}/fuzz/lsan.supp")
endif()
if(ADAPT_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Clang stamps a PCH with its build time, which ccache cannot cache; this drops the stamp.
  add_compile_options("SHELL:-Xclang -fno-pch-timestamp")
endif()

# Links the sanitizer runtime options into an executable of a sanitizer build; nothing otherwise.
function(adapt_link_sanitizer_options target)
  if(TARGET adapt_sanitizer_options)
    target_sources(${target} PRIVATE $<TARGET_OBJECTS:adapt_sanitizer_options>)
  endif()
endfunction()
