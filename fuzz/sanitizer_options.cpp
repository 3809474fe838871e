// Runtime options of every program in a sanitizer build (cmake/sanitize.cmake). The sanitizers read
// them at start-up; UBSAN_OPTIONS and LSAN_OPTIONS in the environment still override. AddressSanitizer
// needs nothing beyond its defaults: the uninstrumented libraries (LibTorch, libgomp, libsndfile)
// caused no ODR-violation or alloc-dealloc-mismatch report (fuzz/README.md).
#define ADAPT_SANITIZER_HOOK extern "C" __attribute__((visibility("default"), used))

ADAPT_SANITIZER_HOOK const char* __ubsan_default_options() { return "print_stacktrace=1"; }

// Leaks inside uninstrumented libraries that adapt cannot free: the file says which and why.
ADAPT_SANITIZER_HOOK const char* __lsan_default_options() { return "suppressions=" ADAPT_LSAN_SUPPRESSIONS; }
