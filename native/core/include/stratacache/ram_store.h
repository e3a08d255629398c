// The RAM tier: a sharded, thread-safe, byte-accounted LRU store.
//
// `limit_bytes` bounds what entries really cost: value bytes, key bytes and a per-entry overhead that covers the
// hash node, the value header, the expiry index and the allocator's bookkeeping. Each shard has its own lock and
// LRU list; the byte budget is global, so a shard that grows past it evicts its own coldest entries first and
// then asks the other shards to give up theirs.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stratacache/clock.h"
#include "stratacache/store.h"

namespace stratacache {

struct RamStoreOptions {
  uint64_t limit_bytes = 128ull << 20;
  // Most independently locked shards, rounded up to a power of two; budgets under 4 MiB a shard get fewer.
  // One suits a single-threaded runtime.
  unsigned shards = 16;
};

class RamStore final : public InlineStore {
 public:
  RamStore(RamStoreOptions options, std::shared_ptr<const Clock> clock);
  ~RamStore() override;

  std::optional<Hit> Lookup(const Key& key) override;
  bool Contains(const Key& key) override;
  Status Insert(const Key& key, Bytes value, int64_t expires_at_ms) override;
  bool Erase(const Key& key) override;
  void EraseAll() override;
  void Sweep() override;
  StoreCounters Counters() const override;

  // What an entry of this key and value size is charged against the budget.
  static uint64_t ChargeFor(size_t key_bytes, size_t value_bytes, bool expires);

  uint64_t limit_bytes() const { return limit_bytes_; }
  size_t shard_count() const { return shards_.size(); }

 private:
  struct Entry;
  struct Shard;

  Shard& ShardFor(const Digest& digest) const;
  // Unlinks and frees `entry`; the caller holds the shard's lock.
  void RemoveLocked(Shard& shard, Entry* entry);
  // Evicts the coldest entries of `shard` (sparing `keep`) until the store is within budget or the shard is empty.
  void EvictLocked(Shard& shard, const Entry* keep);
  // Evicts from every shard, one at a time, until the store is within budget.
  void EvictAcrossShards();
  bool OverBudget() const { return used_bytes_.load(std::memory_order_relaxed) > limit_bytes_; }

  const uint64_t limit_bytes_;
  const std::shared_ptr<const Clock> clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
  uint64_t shard_mask_;
  std::atomic<uint64_t> used_bytes_{0};
};

}  // namespace stratacache
