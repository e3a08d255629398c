#include "stratacache/s3/retry_policy.h"

#include <gtest/gtest.h>

namespace stratacache::s3 {
namespace {

S3Error Failure(bool retryable) {
  S3Error error = S3Error::Make(S3ErrorKind::kServer, "x");
  error.retryable = retryable;
  return error;
}

TEST(RetryPolicy, RetriesOnlyRetryableFailuresOfIdempotentRequestsWhileAttemptsRemain) {
  const RetryPolicy policy{.max_attempts = 3};
  EXPECT_TRUE(policy.ShouldRetry(Failure(true), true, 1));
  EXPECT_TRUE(policy.ShouldRetry(Failure(true), true, 2));
  EXPECT_FALSE(policy.ShouldRetry(Failure(true), true, 3));
  EXPECT_FALSE(policy.ShouldRetry(Failure(true), false, 1)) << "a POST that may have landed is not repeated";
  EXPECT_FALSE(policy.ShouldRetry(Failure(false), true, 1));
  EXPECT_FALSE(policy.ShouldRetry(S3Error::Ok(), true, 1));
  EXPECT_FALSE(RetryPolicy{.max_attempts = 1}.ShouldRetry(Failure(true), true, 1));
}

TEST(RetryPolicy, BackoffGrowsExponentiallyUpToTheCap) {
  const RetryPolicy policy{.max_attempts = 10, .base_delay_ms = 100, .max_delay_ms = 1000};
  constexpr double kAlmostOne = 0.999999;
  EXPECT_EQ(policy.BackoffMs(1, kAlmostOne), 99);
  EXPECT_EQ(policy.BackoffMs(2, kAlmostOne), 199);
  EXPECT_EQ(policy.BackoffMs(3, kAlmostOne), 399);
  EXPECT_EQ(policy.BackoffMs(5, kAlmostOne), 999);
  EXPECT_EQ(policy.BackoffMs(1000, kAlmostOne), 999) << "no overflow for absurd attempt counts";
  EXPECT_EQ(policy.BackoffMs(0, kAlmostOne), 99);
}

TEST(RetryPolicy, JitterSpreadsOverTheWholeWindow) {
  const RetryPolicy policy{.base_delay_ms = 100, .max_delay_ms = 20'000};
  EXPECT_EQ(policy.BackoffMs(3, 0.0), 0);
  EXPECT_EQ(policy.BackoffMs(3, 0.5), 200);
  EXPECT_EQ(policy.BackoffMs(3, 2.0), 400) << "out-of-range randomness is clamped";
  EXPECT_EQ(policy.BackoffMs(3, -1.0), 0);
}

}  // namespace
}  // namespace stratacache::s3
