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
  kUnavailable, // a tier cannot be reached right now (its circuit breaker is open)
  kAuth,        // credentials were refused
  kTimeout,     // a store did not answer in time
  kAborted,     // the caller cancelled the operation
  kNotFound,    // a store's container is missing (an S3 bucket); a missing entry is a miss, not this
  kQuota,       // the storage a store lives in is full even after evicting (browser storage quota)
  kLoader,      // a getOrSet loader failed; the message is the loader's
  kNoLibrary,   // a shared library the operation needs is not installed; the message names its package
  kUnsupported, // the tier cannot do this at all (list the entries of an S3 or HTTP tier)
};

// Stable string codes shared with the TypeScript StrataError (ERR_INVALID_ARG, ...).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : Status(code, std::move(message), code == StatusCode::kIo || code == StatusCode::kTimeout ||
                                             code == StatusCode::kUnavailable) {}
  // `retryable`: whether the same operation may succeed later, when the store knows better than the code.
  Status(StatusCode code, std::string message, bool retryable)
      : code_(code), message_(std::move(message)), retryable_(retryable) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return retryable_; }
  // The tier the failure came from; empty when none or not known.
  const std::string& tier() const { return tier_; }

  // This status, attributed to `tier` unless it already names one.
  Status InTier(const std::string& tier) const {
    Status status = *this;
    if (!ok() && status.tier_.empty()) status.tier_ = tier;
    return status;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool retryable_ = false;
  std::string tier_;
};

}  // namespace stratacache
