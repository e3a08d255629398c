// When to send a failed request again, and how long to wait first: exponential backoff with full jitter, as the
// AWS SDKs do, so that many clients failing together do not retry in step.
#pragma once

#include <cstdint>

#include "stratacache/s3/s3_error.h"

namespace stratacache::s3 {

struct RetryPolicy {
  int max_attempts = 3;  // requests in all, the first included; 1 turns retries off
  int64_t base_delay_ms = 100;
  int64_t max_delay_ms = 20'000;

  // Whether to try again after `attempts_made` requests ended in `error`. Only idempotent requests are retried:
  // a POST that may have taken effect is not sent twice.
  bool ShouldRetry(const S3Error& error, bool idempotent, int attempts_made) const;

  // The pause after the `failures`-th failure: uniform in [0, min(max_delay, base_delay * 2^(failures-1))].
  // `unit` is a random number in [0, 1), passed in so that tests can pin it.
  int64_t BackoffMs(int failures, double unit) const;
};

}  // namespace stratacache::s3
