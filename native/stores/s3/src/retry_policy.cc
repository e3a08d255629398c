#include "stratacache/s3/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace stratacache::s3 {

bool RetryPolicy::ShouldRetry(const S3Error& error, bool idempotent, int attempts_made) const {
  return !error.ok() && error.retryable && idempotent && attempts_made < max_attempts;
}

int64_t RetryPolicy::BackoffMs(int failures, double unit) const {
  // 2^62 already exceeds any sensible cap; clamping the exponent keeps the shift defined.
  const int exponent = std::clamp(failures - 1, 0, 62);
  const double ceiling =
      std::min(static_cast<double>(max_delay_ms), std::ldexp(static_cast<double>(base_delay_ms), exponent));
  return static_cast<int64_t>(std::clamp(unit, 0.0, 1.0) * ceiling);
}

}  // namespace stratacache::s3
