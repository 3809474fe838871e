# Run by ctest, through the include file adapt_add_test_suite writes (tests/CMakeLists.txt): lists a
# test executable's GoogleTest tests and writes ctest entries into OUT_FILE: one per GoogleTest suite
# (all its tests in one process) and one per test that matches LONG, with a high COST so that ctest
# starts those first and spreads them over the cores (it orders by the times of its last run, and a
# fresh build, as CI's, has none: a long test started last would run on one core at the end).
# Why per suite: every process loads LibTorch (about 0.7 s on 2 cores), and with one entry per test
# the 600 short tests spent most of their time starting up.
# Inputs: EXE, LONG (GoogleTest filter patterns, ':'-separated; may be empty), WORKING_DIR,
# ENVIRONMENT (a list), OUT_FILE, TIMEOUT (seconds for the listing).

# A GoogleTest filter pattern ('*' any text, '?' one character) as an anchored regular expression.
function(adapt_gtest_pattern_regex pattern out)
  string(REGEX REPLACE "([][.+^$(){}|\\\\])" "\\\\\\1" regex "${pattern}")
  string(REPLACE "*" ".*" regex "${regex}")
  string(REPLACE "?" "." regex "${regex}")
  set(${out} "^${regex}$" PARENT_SCOPE)
endfunction()

# Variables live in the function, not in the ctest scope that includes this file once per executable.
function(adapt_write_suite_entries)
  execute_process(COMMAND "${EXE}" --gtest_list_tests WORKING_DIRECTORY "${WORKING_DIR}" TIMEOUT ${TIMEOUT}
    RESULT_VARIABLE listed OUTPUT_VARIABLE listing ERROR_VARIABLE listing_errors)
  if(NOT listed EQUAL 0)
    message(FATAL_ERROR "${EXE} --gtest_list_tests failed (${listed}): ${listing}${listing_errors}")
  endif()

  set(long_regexes "")
  string(REPLACE ":" ";" patterns "${LONG}")
  foreach(pattern IN LISTS patterns)
    adapt_gtest_pattern_regex("${pattern}" regex)
    list(APPEND long_regexes "${regex}")
  endforeach()

  # The listing: "Suite.  # TypeParam = ..." lines, each followed by "  Test  # GetParam() = ..." lines.
  string(REPLACE ";" "\\;" listing "${listing}")
  string(REPLACE "\n" ";" lines "${listing}")
  set(suites "")
  set(suite "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([^ #]+)\\.( |$)")
      set(suite "${CMAKE_MATCH_1}")
      list(APPEND suites "${suite}")
      set(long_of_${suite} "")
      set(count_of_${suite} 0)
    elseif(suite AND line MATCHES "^  ([^ #]+)")
      set(test "${suite}.${CMAKE_MATCH_1}")
      if(test MATCHES "\\.DISABLED_")
        continue()  # run by hand (--gtest_also_run_disabled_tests): no entry of its own
      endif()
      math(EXPR count_of_${suite} "${count_of_${suite}} + 1")
      foreach(regex IN LISTS long_regexes)
        if(test MATCHES "${regex}")
          list(APPEND long_of_${suite} "${test}")
          break()
        endif()
      endforeach()
    endif()
  endforeach()

  set(properties "WORKING_DIRECTORY [==[${WORKING_DIR}]==] ENVIRONMENT [==[${ENVIRONMENT}]==]")
  set(content "")
  foreach(suite IN LISTS suites)
    list(LENGTH long_of_${suite} long_count)
    if(long_count LESS count_of_${suite})
      set(filter "${suite}.*")
      if(long_count GREATER 0)
        list(JOIN long_of_${suite} ":" excluded)
        string(APPEND filter "-${excluded}")
      endif()
      string(APPEND content "add_test([==[${suite}]==] [==[${EXE}]==] [==[--gtest_filter=${filter}]==])\n"
        "set_tests_properties([==[${suite}]==] PROPERTIES ${properties})\n")
    endif()
    foreach(test IN LISTS long_of_${suite})
      string(APPEND content "add_test([==[${test}]==] [==[${EXE}]==] [==[--gtest_filter=${test}]==])\n"
        "set_tests_properties([==[${test}]==] PROPERTIES ${properties} "
        "COST 1000 SKIP_REGULAR_EXPRESSION [==[\\[  SKIPPED \\]]==])\n")
    endforeach()
  endforeach()
  file(WRITE "${OUT_FILE}" "${content}")
endfunction()

adapt_write_suite_entries()
