// The RAM tier's policies on their own, through the calls a shard makes (ram_policies.h).
#include "ram_policies.h"

#include <gtest/gtest.h>

#include <array>

namespace stratacache::ram {
namespace {

constexpr uint64_t kCharge = 100;

template <class Policy>
struct Item : Policy::Node {
  int id = 0;
};

template <class Policy>
class PolicyOrderTest : public ::testing::Test {
 protected:
  PolicyOrderTest() {
    for (int i = 0; i < 3; ++i) items_[i].id = i;
  }
  // The id of the entry the order would look at next, sparing `keep`; -1 for none.
  int Next(const Item<Policy>* keep = nullptr) {
    auto* node = order_.Candidate(keep);
    return node == nullptr ? -1 : static_cast<Item<Policy>*>(node)->id;
  }
  void InsertAll(int64_t now_ms = 0) {
    for (auto& item : items_) order_.Insert(item, Use{now_ms, 10, kCharge}, /*proven=*/false);
  }

  Policy order_;
  std::array<Item<Policy>, 3> items_;
};

using Policies = ::testing::Types<Lru, Lfu, SizedLru, S3Fifo>;
TYPED_TEST_SUITE(PolicyOrderTest, Policies);

TYPED_TEST(PolicyOrderTest, OffersTheOldestUnusedEntryFirstAndNeverTheOneToKeep) {
  EXPECT_EQ(this->Next(), -1);
  this->InsertAll();
  EXPECT_EQ(this->Next(), 0);
  this->order_.Erase(this->items_[0], kCharge);
  EXPECT_EQ(this->Next(), 1);
  this->order_.Erase(this->items_[1], kCharge);
  EXPECT_EQ(this->Next(&this->items_[2]), -1) << "the entry to keep is the only one left";
  this->order_.Clear();
  EXPECT_EQ(this->Next(), -1);
}

TYPED_TEST(PolicyOrderTest, AUsedEntryOutlastsAnUnusedOne) {
  this->InsertAll();
  this->order_.Touch(this->items_[0], Use{1, 10, kCharge});
  // Evict as the shard does: give a spared candidate its round, take the first expendable one.
  auto* victim = this->order_.Candidate(nullptr);
  while (!TypeParam::Expendable(*victim)) {
    this->order_.Spare(*victim, kCharge);
    victim = this->order_.Candidate(nullptr);
  }
  EXPECT_EQ(static_cast<Item<TypeParam>*>(victim)->id, 1);
}

TEST(S3FifoTest, ASparedEntryLeavesSmallForMainAndSpendsItsUsesThere) {
  S3Fifo order;
  std::array<Item<S3Fifo>, 2> items;
  for (auto& item : items) order.Insert(item, Use{0, 10, kCharge}, /*proven=*/false);
  EXPECT_TRUE(S3Fifo::OnProbation(items[0]));
  order.Touch(items[0], Use{});
  order.Touch(items[0], Use{});
  ASSERT_EQ(order.Candidate(nullptr), &items[0]);
  ASSERT_FALSE(S3Fifo::Expendable(items[0]));
  order.Spare(items[0], kCharge);  // from small: into main, its uses there start from none
  EXPECT_FALSE(S3Fifo::OnProbation(items[0]));
  EXPECT_EQ(items[0].freq, 0);
  // Small now holds half the bytes, over its share: its back goes first.
  EXPECT_EQ(order.Candidate(nullptr), &items[1]);
  order.Erase(items[1], kCharge);
  EXPECT_EQ(order.Candidate(nullptr), &items[0]);
  order.Touch(items[0], Use{});
  order.Touch(items[0], Use{});
  order.Spare(items[0], kCharge);  // in main: one use spent
  EXPECT_EQ(items[0].freq, 1);
  EXPECT_FALSE(S3Fifo::OnProbation(items[0]));
}

TEST(S3FifoTest, AProvenEntrySkipsSmall) {
  S3Fifo order;
  Item<S3Fifo> item;
  order.Insert(item, Use{0, 10, kCharge}, /*proven=*/true);
  EXPECT_FALSE(S3Fifo::OnProbation(item));
  EXPECT_TRUE(S3Fifo::Expendable(item));
}

TEST(GhostFifoTest, ARecalledDigestRememberedAgainOutlivesItsStaleSlot) {
  GhostFifo ghosts;
  ghosts.Remember(1);
  ghosts.Remember(2);
  EXPECT_TRUE(ghosts.Recall(1));
  EXPECT_FALSE(ghosts.Recall(1)) << "a recall forgets";
  ghosts.Remember(1);
  ghosts.ForgetOldest();  // 1's first slot: stale, so 1 stays remembered
  EXPECT_EQ(ghosts.size(), 2u);
  ghosts.ForgetOldest();  // 2
  EXPECT_FALSE(ghosts.Recall(2));
  EXPECT_TRUE(ghosts.Recall(1));
}

TEST(ScoredTest, LfuKeepsTheEntryUsedMoreAndSizedLruDropsTheLargerFirst) {
  Lfu lfu;
  std::array<Item<Lfu>, 2> counted;
  for (auto& item : counted) lfu.Insert(item, Use{0, 10, kCharge}, false);
  lfu.Touch(counted[0], Use{5, 10, kCharge});
  lfu.Touch(counted[0], Use{6, 10, kCharge});
  lfu.Touch(counted[1], Use{7, 10, kCharge});
  EXPECT_EQ(lfu.Candidate(nullptr), &counted[1]) << "used once, though more recently";

  SizedLru sized;
  std::array<Item<SizedLru>, 2> sizes;
  sized.Insert(sizes[0], Use{0, 100, kCharge}, false);
  sized.Insert(sizes[1], Use{0, 100'000, kCharge}, false);
  EXPECT_EQ(sized.Candidate(nullptr), &sizes[1]);
}

}  // namespace
}  // namespace stratacache::ram
