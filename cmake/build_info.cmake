# adapt/common/build_info.h: the version from project(VERSION) and a hash of the public headers, for
# the build fingerprint (docs/writing-a-plugin.md). Editing any public header re-runs this, so the
# fingerprint always describes the headers a plugin was compiled against.
file(GLOB_RECURSE ADAPT_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/include/adapt/*.h)
# The conformance kit (adapt/testing/) is compiled into authors' tests, never into a plugin: it is
# no part of the plugin ABI, and changing it must not make every plugin a stranger.
list(FILTER ADAPT_PUBLIC_HEADERS EXCLUDE REGEX "/adapt/testing/")
list(SORT ADAPT_PUBLIC_HEADERS)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ADAPT_PUBLIC_HEADERS})
set(listing "")
foreach(header ${ADAPT_PUBLIC_HEADERS})
  file(RELATIVE_PATH relative ${PROJECT_SOURCE_DIR}/core/include ${header})
  file(SHA256 ${header} digest)
  string(APPEND listing "${relative} ${digest}\n")
endforeach()
string(SHA256 ADAPT_HEADERS_HASH "${listing}")
string(SUBSTRING ${ADAPT_HEADERS_HASH} 0 16 ADAPT_HEADERS_HASH)
set(ADAPT_GENERATED_INCLUDE_DIR ${PROJECT_BINARY_DIR}/generated/include)
configure_file(${PROJECT_SOURCE_DIR}/cmake/build_info.h.in ${ADAPT_GENERATED_INCLUDE_DIR}/adapt/common/build_info.h @ONLY)
