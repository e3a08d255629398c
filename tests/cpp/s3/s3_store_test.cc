// The s3 tier's store against s3rver (behind the signature-checking proxy): what the clock decides (expiry, the
// circuit breaker's cooldown), which the JavaScript suites cannot move by hand; and, against the fault server,
// objects written before the tier stored digests.
#include "stratacache/s3/s3_store.h"

#include <gtest/gtest.h>

#include "../manual_clock.h"
#include "s3_test_env.h"

namespace stratacache::s3 {
namespace {

using stratacache::testing::ManualClock;
using testing::Await;
using testing::OptionsFor;
using testing::S3Servers;

constexpr int64_t kCooldownMs = 60'000;

std::unique_ptr<S3Store> MakeStore(int port, std::shared_ptr<ManualClock> clock, const std::string& prefix) {
  S3StoreOptions options{.client = OptionsFor(port), .bucket = testing::kBucket, .prefix = prefix,
                         .limit_bytes = 1 << 20, .cooldown_ms = kCooldownMs};
  options.client.force_path_style = true;
  Status status;
  std::unique_ptr<S3Store> store = S3Store::Create(options, std::move(clock), &status);
  EXPECT_TRUE(status.ok()) << status.message();
  return store;
}

struct GetOutcome {
  Status status;
  std::optional<Hit> hit;
};

GetOutcome GetFrom(S3Store& store, const Key& key) {
  return Await<GetOutcome>([&](auto done) {
    store.Get(key, [done](Status status, std::optional<Hit> hit) { done(GetOutcome{status, std::move(hit)}); });
  });
}

Status PutTo(S3Store& store, const Key& key, const std::string& value, int64_t expires_at_ms) {
  return Await<Status>([&](auto done) { store.Put(key, Bytes::Copy(value), expires_at_ms, done); });
}

TEST(S3Store, AnEntryIsAMissOnceItsExpiryHasPassed) {
  auto clock = std::make_shared<ManualClock>();
  auto store = MakeStore(S3Servers::Get().proxy_port(), clock, "store-expiry");
  const Key key("ns", "k");
  ASSERT_TRUE(PutTo(*store, key, "v", clock->NowMs() + 1'000).ok());
  GetOutcome fresh = GetFrom(*store, key);
  ASSERT_TRUE(fresh.status.ok()) << fresh.status.message();
  ASSERT_TRUE(fresh.hit);
  EXPECT_EQ(fresh.hit->value.view(), "v");
  EXPECT_EQ(fresh.hit->expires_at_ms, clock->NowMs() + 1'000);
  EXPECT_FALSE(GetFrom(*store, Key("other-ns", "k")).hit) << "the namespace is part of the digest and the check";
  clock->Advance(1'000);
  GetOutcome expired = GetFrom(*store, key);
  EXPECT_TRUE(expired.status.ok());
  EXPECT_FALSE(expired.hit);
}

TEST(S3Store, TheBreakerSkipsS3UntilTheCooldownEnds) {
  auto clock = std::make_shared<ManualClock>();
  auto store = MakeStore(1, clock, "store-breaker");  // nothing listens on port 1: connections are refused
  const Key key("k");
  GetOutcome first = GetFrom(*store, key);
  EXPECT_EQ(first.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(first.status.message().find("could not be reached"), std::string::npos) << first.status.message();

  GetOutcome skipped = GetFrom(*store, key);
  EXPECT_EQ(skipped.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(skipped.status.message().find("circuit open"), std::string::npos) << skipped.status.message();
  EXPECT_EQ(PutTo(*store, key, "v", kNeverExpires).code(), StatusCode::kUnavailable);

  clock->Advance(kCooldownMs);
  GetOutcome retried = GetFrom(*store, key);
  EXPECT_EQ(retried.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(retried.status.message().find("could not be reached"), std::string::npos)
      << "after the cooldown a request goes out again: " << retried.status.message();
}

TEST(S3Store, CleanRemovesOnlyThisTiersObjectsBeyondTheLimits) {
  auto clock = std::make_shared<ManualClock>();
  auto store = MakeStore(S3Servers::Get().proxy_port(), clock, "store-clean");
  auto client = testing::MakeClient(OptionsFor(S3Servers::Get().proxy_port()));
  ASSERT_TRUE(testing::Put(*client, "store-clean/not-an-entry", Bytes::Copy("keep")).ok());
  for (const char* key : {"a", "b", "c"}) ASSERT_TRUE(PutTo(*store, Key(key), std::string(100, 'x'), kNeverExpires).ok());
  EXPECT_EQ(store->Counters().entries, 3u);
  EXPECT_EQ(store->Counters().bytes, 300u);

  auto clean = [&](CleanOptions options) {
    return Await<std::pair<Status, uint64_t>>([&](auto done) {
      store->Clean(options, [done](Status status, uint64_t removed) { done({status, removed}); });
    });
  };
  auto [status, removed] = clean(CleanOptions{.max_age_ms = std::nullopt, .max_bytes = 250});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(store->Counters().entries, 2u);
  // The store's clock is far in the past of s3rver's Last-Modified times: nothing is old enough.
  EXPECT_EQ(clean(CleanOptions{.max_age_ms = 1, .max_bytes = std::nullopt}).second, 0u);
  ASSERT_TRUE(Await<Status>([&](auto done) { store->Clear(done); }).ok());
  EXPECT_EQ(store->Counters().entries, 0u);
  EXPECT_TRUE(testing::Get(*client, "store-clean/not-an-entry").ok()) << "objects the tier does not name stay";
}

// Objects written before the tier stored a SHA-256 are checked against their ETag when it can be the MD5 of the
// bytes; under KMS it cannot, and such an object is a miss (rewritten by the next set), not a corruption.
TEST(S3Store, AnObjectWithoutDigestIsCheckedByItsEtagWhenThatIsAnMd5) {
  auto clock = std::make_shared<ManualClock>();
  const Key key("", "k");
  GetOutcome good = GetFrom(*MakeStore(S3Servers::Get().fault_port(), clock, "legacygood"), key);
  ASSERT_TRUE(good.status.ok()) << good.status.message();
  ASSERT_TRUE(good.hit);
  EXPECT_EQ(good.hit->value.view(), "abc");
  GetOutcome bad = GetFrom(*MakeStore(S3Servers::Get().fault_port(), clock, "legacybad"), key);
  EXPECT_EQ(bad.status.code(), StatusCode::kCorrupt) << bad.status.message();
  EXPECT_FALSE(bad.hit);
  GetOutcome kms = GetFrom(*MakeStore(S3Servers::Get().fault_port(), clock, "legacykms"), key);
  EXPECT_TRUE(kms.status.ok()) << kms.status.message();
  EXPECT_FALSE(kms.hit);
}

}  // namespace
}  // namespace stratacache::s3
