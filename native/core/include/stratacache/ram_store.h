// The RAM tier: a sharded, thread-safe, byte-accounted store over a choice of eviction policy.
//
// `limit_bytes` bounds what entries really cost: value bytes, key bytes and a per-entry overhead that covers the
// hash node, the value header, the expiry index, the policy's own per-entry fields and structures and the
// allocator's bookkeeping. Each shard has its own lock and eviction order; the byte budget is global, so a shard
// that grows past it evicts its own victims first and then asks the other shards to give up theirs.
//
// Policies (src/ram_policies.h), each a type the sharded store is built over, with only its own per-entry fields:
//   lru        an intrusive recency list; a hit moves the entry to the front.
//   lfu        \ exact order on the core's EvictionScore (eviction_policy.h), as the disk tier uses, kept in an
//   sized-lru  / ordered index that a hit re-positions (O(log n)).
//   s3-fifo    S3-FIFO (Yang et al., SOSP '23): new entries enter a small FIFO (~10% of the bytes); those used
//              again there move to the main FIFO, the rest leave and are remembered in a ghost FIFO of digests,
//              whose return goes straight to main. Main gives entries used since their last pass another round
//              (2-bit counter). A hit only bumps the counter, and a scan of one-hit wonders never reaches main.
//
// Namespaces (key.h): each entry of a namespace other than the default one is also held, in its shard, by that
// namespace's own instance of the same policy (the restriction of the shard's order to its entries), at a charge
// that ChargeFor includes. A namespace's limit (LimitNamespace) is global across shards, as the store's own
// budget is: an insert past it evicts the namespace's victims in its own shard first, then in the others. The
// default namespace pays one pointer per entry and one branch per hit.
//
// What leaves (evicted, expired, erased or replaced entries and values) is unlinked under the shard's lock and
// freed after it is released.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  void CountChangesIn(std::shared_ptr<ChangeCounters> counters) override;
  std::optional<Hit> Peek(const Key& key) override;
  void HandDeparturesTo(DepartureSink sink) override;
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
  size_t shard_count() const;

 private:
  // The sharded store over one policy (ram_store.cc), reached through one virtual call per operation.
  class Core;
  template <class Policy>
  class PolicyCore;

  const uint64_t limit_bytes_;
  const std::unique_ptr<Core> core_;
};

}  // namespace stratacache
