#include "stratacache/content.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "manual_clock.h"
#include "stratacache/ram_store.h"

namespace stratacache {
namespace {

TEST(ContentTest, DigestIsBlake3HexOfTheBytes) {
  // BLAKE3 of the empty input, from the official test vectors.
  EXPECT_EQ(ContentDigest("", 0), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  EXPECT_NE(ContentDigest("a", 1), ContentDigest("b", 1));
}

TEST(ContentTest, OnlyLowercaseHexDigestsOf64CharactersAreAccepted) {
  const std::string good = ContentDigest("x", 1);
  EXPECT_TRUE(CheckContentDigest(good).ok());
  std::string upper = good;
  upper[0] = 'A';
  EXPECT_EQ(CheckContentDigest(upper).code(), StatusCode::kInvalidArg);
  EXPECT_EQ(CheckContentDigest(good.substr(1)).code(), StatusCode::kInvalidArg);
  EXPECT_EQ(CheckContentDigest(good + "0").code(), StatusCode::kInvalidArg);
}

TEST(ContentTest, IdenticalContentIsStoredOnceApartFromOrdinaryKeys) {
  auto clock = std::make_shared<testing::ManualClock>();
  std::vector<TierSpec> tiers;
  tiers.push_back(TierSpec{"ram", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock), Ttl::Unset()});
  auto chain = TierChain::Create(std::move(tiers), Ttl::Unset(), clock);

  std::vector<std::string> digests;
  for (int i = 0; i < 2; ++i) {
    PutContent(chain, Bytes::Copy("payload"), {Ttl::Millis(1'000)}, [&](Status status, std::string digest) {
      EXPECT_TRUE(status.ok()) << status.message();
      digests.push_back(std::move(digest));
    });
    clock->Advance(600);
  }
  ASSERT_EQ(digests.size(), 2u);
  EXPECT_EQ(digests[0], ContentDigest("payload", 7));
  EXPECT_EQ(digests[1], digests[0]);
  EXPECT_EQ(chain->Stats().tiers[0].store.entries, 1u);
  EXPECT_FALSE(chain->HasNow(Key(digests[0]))) << "the content namespace is apart from ordinary keys";
  // The second put wrote nothing, so the first one's TTL still runs: written 1.2s ago with a 1s TTL.
  EXPECT_FALSE(chain->HasNow(ContentKey(digests[0])));
}

}  // namespace
}  // namespace stratacache
