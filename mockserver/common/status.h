// Status and Result<T>: the one way a fallible function reports failure.
//
// A Status is OK or an error with a kind and a message. The message is the exact text a
// caller shows (an API error text stays byte-identical when it travels as a Status); the kind
// lets a caller choose the answer's shape (a SOAP fault, an ATWSError, an HTTP status) without
// parsing the text. OK costs one null pointer; an error allocates its message once.
//
// Result<T> holds a T or an error Status. Both are [[nodiscard]]: a failure cannot be dropped
// silently. Neither throws; exceptions stay at the program's edges (start-up, the HTTP
// handler's catch-all). Thread-compatible: distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace atws {

class [[nodiscard]] Status {
 public:
  // The kinds of failure callers tell apart.
  enum class Code : unsigned char {
    kOk = 0,
    kInvalidArgument,  // the caller's input is wrong (bad value, unknown name, malformed)
    kNotFound,         // the thing named does not exist
    kAlreadyExists,    // a name or id is taken
    kRefused,          // allowed input, refused by a rule (threshold, access, limit)
    kIoError,          // storage or the file system failed
    kInternal,         // a bug or an unexpected library failure
  };

  Status() = default;  // OK
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, msg); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, msg); }
  static Status AlreadyExists(std::string msg) { return Status(Code::kAlreadyExists, msg); }
  static Status Refused(std::string msg) { return Status(Code::kRefused, msg); }
  static Status IoError(std::string msg) { return Status(Code::kIoError, msg); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, msg); }

  Status(const Status& o) : state_(o.state_ ? std::make_unique<State>(*o.state_) : nullptr) {}
  Status& operator=(const Status& o) {
    if (this != &o) state_ = o.state_ ? std::make_unique<State>(*o.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsAlreadyExists() const { return code() == Code::kAlreadyExists; }
  bool IsRefused() const { return code() == Code::kRefused; }
  bool IsIoError() const { return code() == Code::kIoError; }
  bool IsInternal() const { return code() == Code::kInternal; }
  // The message as given ("" when OK).
  const std::string& message() const {
    static const std::string kEmpty;
    return state_ ? state_->message : kEmpty;
  }
  // "OK", or "<kind>: <message>" for logs and test failures.
  std::string ToString() const {
    static constexpr const char* kNames[] = {
        "OK",      "Invalid argument", "Not found", "Already exists",
        "Refused", "I/O error",        "Internal"};
    if (ok()) return "OK";
    return std::string(kNames[static_cast<int>(code())]) + ": " + message();
  }

  // For the code that still reports failure through `std::string* error`: copies the message
  // there when this is an error (and `error` is not null); returns ok().
  bool Into(std::string* error) const {
    if (!ok() && error) *error = message();
    return ok();
  }

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code c, std::string& msg) : state_(std::make_unique<State>(State{c, std::move(msg)})) {}
  std::unique_ptr<State> state_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Status error) : status_(std::move(error)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result is made from a value or an error Status, not from OK");
    if (status_.ok()) status_ = Status::Internal("Result made from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // The value; only when ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;  // OK when value_ holds a value
};

// Returns from the enclosing function when `expr` (a Status) is an error.
#define ATWS_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::atws::Status atws_status_ = (expr);        \
    if (!atws_status_.ok()) return atws_status_; \
  } while (0)

}  // namespace atws
