// Outcome of a core operation. The core is built without exceptions for the WebAssembly target, so every
// fallible call reports through a Status instead of throwing.
#pragma once

#include <string>
#include <utility>

namespace stratacache {

enum class StatusCode {
  kOk,
  kInvalidArg,  // the caller passed something unusable
  kTooLarge,    // the value cannot fit in a tier's budget at all
  kIo,          // a store failed to move bytes
  kCorrupt,     // stored bytes failed verification
  kClosed,      // the cache was closed
  kUnavailable, // a tier cannot be reached right now
};

// Stable string codes shared with the TypeScript StrataError (ERR_INVALID_ARG, ...).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace stratacache
