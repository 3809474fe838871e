#pragma once
// The one way the suites check an error: its type and the fragments its message must contain (file,
// line, field, what to do). Its own namespace: suites bring it into theirs with using-declarations.
#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <vector>

namespace adapt::test_support {

// The message of the E that `f` throws; fails the test and returns "" when it throws nothing or
// something else.
template <typename E = std::exception, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no exception thrown";
  return {};
}

// `message` mentions every fragment.
inline void expect_message(const std::string& message, const std::vector<std::string>& fragments) {
  for (const auto& f : fragments) EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
}

// `f` throws E whose message contains every fragment.
template <typename E, typename F>
void expect_error(F&& f, const std::vector<std::string>& fragments) {
  const std::string message = error_of<E>(std::forward<F>(f));
  if (!message.empty()) expect_message(message, fragments);
}

}  // namespace adapt::test_support

// EXPECT_THROW_WITH(statement, E, "fragment", ...): expect_error for a statement.
#define EXPECT_THROW_WITH(statement, E, ...) ::adapt::test_support::expect_error<E>([&] { statement; }, {__VA_ARGS__})
