// The RAM tier: a sharded, thread-safe, byte-accounted store with a choice of eviction policy.
//
// `limit_bytes` bounds what entries really cost: value bytes, key bytes and a per-entry overhead that covers the
// hash node, the value header, the expiry index, the policy's own structures and the allocator's bookkeeping.
// Each shard has its own lock and eviction order; the byte budget is global, so a shard that grows past it evicts
// its own victims first and then asks the other shards to give up theirs.
//
// Policies:
//   lru        an intrusive recency list; a hit moves the entry to the front.
//   lfu        \ exact order on the core's EvictionScore (eviction_policy.h), as the disk tier uses, kept in an
//   sized-lru  / ordered index that a hit re-positions (O(log n)).
//   s3-fifo    S3-FIFO (Yang et al., SOSP '23): new entries enter a small FIFO (~10% of the bytes); those used
//              again there move to the main FIFO, the rest leave and are remembered in a ghost FIFO of digests,
//              whose return goes straight to main. Main gives entries used since their last pass another round
//              (2-bit counter). A hit only bumps the counter, and a scan of one-hit wonders never reaches main.
//
// Namespaces (key.h): each entry of a namespace other than the default one is also threaded, in its shard, on
// that namespace's own copy of the policy's order (the restriction of the shard's lists or score index to its
// entries), at a charge that ChargeFor includes. A namespace's limit (LimitNamespace) is global across shards,
// as the store's own budget is: an insert past it evicts the namespace's victims in its own shard first, then in
// the others. The default namespace pays one pointer per entry and one branch per hit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stratacache/clock.h"
#include "stratacache/store.h"

namespace stratacache {

enum class RamPolicy { kLru, kLfu, kSizedLru, kS3Fifo };

// The policy named `name` ("lru", "lfu", "sized-lru", "s3-fifo"), as the JavaScript API spells it.
std::optional<RamPolicy> ParseRamPolicy(std::string_view name);
std::string_view RamPolicyName(RamPolicy policy);

struct RamStoreOptions {
  uint64_t limit_bytes = 128ull << 20;
  // Most independently locked shards, rounded up to a power of two; budgets under 4 MiB a shard get fewer.
  // One suits a single-threaded runtime.
  unsigned shards = 16;
  RamPolicy policy = RamPolicy::kLru;
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
  void EraseDigest(const Digest& digest) override;
  void EraseAllBut(const std::function<bool(const Digest&)>& keep) override;
  void Sweep() override;
  StoreCounters Counters() const override;
  // In shard order, then digest order within a shard (sorted once per walk of the shard unless entries are
  // inserted meanwhile); a shard's lock is held while its part of a page is read.
  void ListEntries(const ListRequest& request, ListDone done) override;
  void ReportRemovalsTo(const EventHub* hub, std::string tier) override;
  void CountChangesIn(std::shared_ptr<ChangeCounters> counters) override { changes_ = std::move(counters); }
  std::optional<Hit> Peek(const Key& key) override;
  void HandDeparturesTo(DepartureSink sink) override { departures_ = std::move(sink); }
  Status LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) override;

  // What an entry of this key and value size is charged against the budget (and its namespace's, when
  // `namespaced`: a namespace other than the default one).
  static uint64_t ChargeFor(size_t key_bytes, size_t value_bytes, bool expires, RamPolicy policy = RamPolicy::kLru,
                            bool namespaced = false);
  // The bytes the entries of namespace `ns` are charged, over all shards.
  uint64_t NamespaceBytes(const std::string& ns) const;
  // What s3-fifo charges for remembering an evicted entry's digest (at most one per resident entry).
  static uint64_t GhostCharge();

  uint64_t limit_bytes() const { return limit_bytes_; }
  size_t shard_count() const { return shards_.size(); }

 private:
  struct Entry;
  struct Shard;
  // What leaves under a shard's lock, handed on once it is released (a listener may call back in): events for the
  // hub, departures for the chain's write-back.
  struct Removals {
    std::vector<CacheEvent> events;
    std::vector<Departure> departures;
  };
  // Null when nobody wants either, so that nothing is copied for nobody.
  using RemovalLog = Removals*;
  struct Namespace;  // a namespace's limit and bytes, store-wide
  struct NsShard;    // a namespace's entries in one shard, in the policy's order
  struct NsNode;     // an entry's place in its NsShard

  // A log to pass to the locked functions below: `removals` when the hub wants evictions or expirations or a
  // chain takes departures, else null.
  RemovalLog LogFor(Removals& removals) const;
  // Records that `entry` is leaving by eviction or expiry (`kind`), in `log` if there is one.
  void NoteLocked(RemovalLog log, EventKind kind, const Entry& entry, std::string_view reason) const;
  void Publish(Removals& removals) const;

  Shard& ShardFor(const Digest& digest) const;
  // The live entry of `key` in `shard`, or nullptr; the caller holds the shard's lock. Uses nothing.
  const Entry* LiveLocked(const Shard& shard, const Key& key) const;
  // Unlinks and frees `entry`; the caller holds the shard's lock.
  void RemoveLocked(Shard& shard, Entry* entry);
  // Policy bookkeeping, with the shard's lock held: an entry joins (`to_main`: s3-fifo's main FIFO), is used,
  // leaves; and the entry the policy gives up next, other than `keep` (nullptr when none).
  void AttachLocked(Shard& shard, Entry* entry, bool to_main);
  void TouchLocked(Shard& shard, Entry* entry);
  void DetachLocked(Shard& shard, Entry* entry);
  Entry* VictimLocked(Shard& shard, const Entry* keep);
  // The victim a namespace's own order gives up next in `shard`, other than `keep`.
  Entry* NamespaceVictimLocked(Shard& shard, NsShard& space, const Entry* keep);
  // S3-FIFO's choice over one pair of FIFOs, the shard's or a namespace's: `fifos()` answers their tails and
  // whether small holds more than its share.
  template <class Fifos>
  Entry* S3FifoVictimLocked(Shard& shard, const Entry* keep, Fifos fifos);
  // Adds (`sign` 1) or removes (-1) `entry`'s charge from the shard's, the store's and its namespace's bytes.
  void ChargeLocked(Shard& shard, const Entry& entry, int sign);
  // Evicts `victim`, for the eviction event's `reason`.
  void EvictOneLocked(Shard& shard, Entry* victim, std::string_view reason, RemovalLog log);
  // The namespace named `name`, created unbounded when new; null for the default one.
  Namespace* NamespaceNamed(const std::string& name);
  // Evicts the victims of `space`'s order in `shard` while its namespace is over its limit.
  void EvictNamespaceLocked(Shard& shard, NsShard& space, const Entry* keep, RemovalLog log);
  // Evicts `ns`'s entries from every shard, one at a time, until it is within its limit.
  void EvictNamespaceAcrossShards(const Namespace& ns, RemovalLog log);
  // Evicts the policy's victims in `shard` (sparing `keep`) until the store is within budget or none is left.
  void EvictLocked(Shard& shard, const Entry* keep, RemovalLog log);
  // Evicts from every shard, one at a time, until the store is within budget.
  void EvictAcrossShards(RemovalLog log);
  bool OverBudget() const { return used_bytes_.load(std::memory_order_relaxed) > limit_bytes_; }

  const uint64_t limit_bytes_;
  const RamPolicy policy_;
  const std::shared_ptr<const Clock> clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
  uint64_t shard_mask_;
  std::atomic<uint64_t> used_bytes_{0};
  const EventHub* events_ = nullptr;
  std::string tier_name_;
  std::shared_ptr<ChangeCounters> changes_;  // null unless a chain counts changes
  DepartureSink departures_;                 // empty unless a write-back chain takes them
  mutable std::mutex namespaces_mu_;  // never held with a shard's lock
  // Every namespace ever written or limited, with (in each shard it reached) its NsShard: never dropped, so that
  // pointers to them stay valid; a few hundred bytes a namespace, outside the budget.
  std::unordered_map<std::string, std::unique_ptr<Namespace>> namespaces_;
};

}  // namespace stratacache
