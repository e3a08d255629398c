#include "stratacache/ttl.h"

#include <gtest/gtest.h>

namespace stratacache {
namespace {

TEST(TtlTest, MillisAddToNow) { EXPECT_EQ(Ttl::Millis(1500).ExpiresAt(1000), 2500); }

TEST(TtlTest, NeverAndUnsetDoNotExpire) {
  EXPECT_EQ(Ttl::Never().ExpiresAt(1000), kNeverExpires);
  EXPECT_EQ(Ttl::Unset().ExpiresAt(1000), kNeverExpires);
}

TEST(TtlTest, HugeDurationsSaturateInsteadOfOverflowing) {
  EXPECT_EQ(Ttl::Millis(kNeverExpires - 10).ExpiresAt(1000), kNeverExpires);
}

TEST(TtlTest, ResolutionTakesTheFirstSetRule) {
  EXPECT_EQ(Ttl::Unset().Or(Ttl::Millis(5)).ExpiresAt(0), 5);
  EXPECT_EQ(Ttl::Millis(7).Or(Ttl::Millis(5)).ExpiresAt(0), 7);
  // An explicit "no expiry" is a rule of its own and wins over a fallback duration.
  EXPECT_EQ(Ttl::Never().Or(Ttl::Millis(5)).ExpiresAt(0), kNeverExpires);
}

}  // namespace
}  // namespace stratacache
