#pragma once
// Exception types shared across the plugin boundary (default visibility so catch works there).
#include <stdexcept>
#include <string>

#define ADAPT_API __attribute__((visibility("default")))

namespace adapt {

// Base of every error adapt raises on purpose. what() says what went wrong and what to do.
class ADAPT_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

// Bad input data: names the file, line/record and field.
class ADAPT_API DataError : public Error {
 public:
  using Error::Error;
  ~DataError() override;
};

// A recipe or component option that does not validate; the message starts with its JSON path.
class ADAPT_API OptionError : public Error {
 public:
  using Error::Error;
  ~OptionError() override;
};

// A plugin that could not be loaded or registered.
class ADAPT_API PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

}  // namespace adapt
