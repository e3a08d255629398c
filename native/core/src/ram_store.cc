#include "stratacache/ram_store.h"

#include <algorithm>
#include <utility>

namespace stratacache {

struct RamStore::Entry {
  // The map node's own key, so an entry found through a list can be erased from the map.
  const Digest* digest = nullptr;
  std::string key;
  Bytes value;
  int64_t expires_at_ms = kNeverExpires;
  uint64_t charge = 0;
  // LRU list: the shard's sentinel `next` is the most recently used entry, its `prev` the coldest.
  Entry* prev = nullptr;
  Entry* next = nullptr;
  // Position in the shard's expiry index; meaningful only when the entry expires.
  std::multimap<int64_t, Entry*>::iterator expiry;

  bool expires() const { return expires_at_ms != kNeverExpires; }
};

struct RamStore::Shard {
  Shard() { lru.prev = lru.next = &lru; }

  void LinkFront(Entry* e) {
    e->prev = &lru;
    e->next = lru.next;
    lru.next->prev = e;
    lru.next = e;
  }
  static void Unlink(Entry* e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
  }
  Entry* Coldest() { return lru.prev == &lru ? nullptr : lru.prev; }

  std::mutex mu;
  std::unordered_map<Digest, Entry, DigestHash> entries;
  Entry lru;
  // Entries that expire, soonest first, so that sweeping costs only what it removes.
  std::multimap<int64_t, Entry*> expiry;
  uint64_t bytes = 0;
  uint64_t evictions = 0;
  uint64_t expirations = 0;
};

namespace {

// What the allocator keeps beside each heap block, and the granule it rounds sizes up to (glibc, 64-bit).
constexpr uint64_t kAllocatorOverhead = 16;

// The smallest budget worth a shard of its own.
constexpr uint64_t kMinShardBytes = 4ull << 20;

uint64_t HeapBlock(uint64_t bytes) { return (bytes + kAllocatorOverhead + 15) / 16 * 16; }

unsigned RoundUpToPowerOfTwo(unsigned n) {
  unsigned p = 1;
  while (p < n) p <<= 1;
  return p;
}

// 0 for 0.
unsigned RoundDownToPowerOfTwo(unsigned n) {
  unsigned p = 1;
  while (p <= n / 2) p <<= 1;
  return n == 0 ? 0 : p;
}

}  // namespace

uint64_t RamStore::ChargeFor(size_t key_bytes, size_t value_bytes, bool expires) {
  // Hash node: the digest, the entry and the node's own link (plus a cached hash word), and its bucket slot.
  uint64_t charge = HeapBlock(sizeof(Digest) + sizeof(Entry) + 2 * sizeof(void*)) + sizeof(void*);
  // Keys beyond the small-string buffer live in a heap block of their own.
  if (key_bytes >= sizeof(std::string) / 2) charge += HeapBlock(key_bytes + 1);
  charge += HeapBlock(Bytes::kHeaderSize + value_bytes);
  // Expiry index node: a red-black tree node of four words around the (instant, entry) pair.
  if (expires) charge += HeapBlock(4 * sizeof(void*) + sizeof(std::pair<int64_t, Entry*>));
  return charge;
}

RamStore::RamStore(RamStoreOptions options, std::shared_ptr<const Clock> clock)
    : limit_bytes_(options.limit_bytes), clock_(std::move(clock)) {
  // A shard evicts its own coldest entries, which approximates global LRU only when every shard holds many
  // entries; small budgets therefore get fewer shards, down to one (exact LRU).
  const uint64_t by_budget = std::min<uint64_t>(limit_bytes_ / kMinShardBytes, 1u << 16);
  const unsigned count = std::max(1u, std::min(RoundUpToPowerOfTwo(options.shards),
                                               RoundDownToPowerOfTwo(static_cast<unsigned>(by_budget))));
  shards_.reserve(count);
  for (unsigned i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>());
  shard_mask_ = count - 1;
}

RamStore::~RamStore() = default;

RamStore::Shard& RamStore::ShardFor(const Digest& digest) const { return *shards_[digest.low & shard_mask_]; }

void RamStore::RemoveLocked(Shard& shard, Entry* entry) {
  Shard::Unlink(entry);
  if (entry->expires()) shard.expiry.erase(entry->expiry);
  shard.bytes -= entry->charge;
  used_bytes_.fetch_sub(entry->charge, std::memory_order_relaxed);
  // Copy the digest out: it lives in the node that erasing destroys.
  const Digest digest = *entry->digest;
  shard.entries.erase(digest);
}

void RamStore::EvictLocked(Shard& shard, const Entry* keep) {
  // Entries already past their expiry go first: they cost nothing to lose.
  const int64_t now = shard.expiry.empty() ? 0 : clock_->NowMs();
  while (OverBudget() && !shard.expiry.empty() && shard.expiry.begin()->first <= now &&
         shard.expiry.begin()->second != keep) {
    ++shard.expirations;
    RemoveLocked(shard, shard.expiry.begin()->second);
  }
  while (OverBudget()) {
    Entry* coldest = shard.Coldest();
    if (coldest == nullptr || coldest == keep) return;
    ++shard.evictions;
    RemoveLocked(shard, coldest);
  }
}

void RamStore::EvictAcrossShards() {
  for (auto& shard : shards_) {
    if (!OverBudget()) return;
    std::lock_guard lock(shard->mu);
    EvictLocked(*shard, nullptr);
  }
}

std::optional<Hit> RamStore::Lookup(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || it->second.key != key.text()) return std::nullopt;
  Entry* entry = &it->second;
  if (entry->expires() && entry->expires_at_ms <= clock_->NowMs()) {
    ++shard.expirations;
    RemoveLocked(shard, entry);
    return std::nullopt;
  }
  Shard::Unlink(entry);
  shard.LinkFront(entry);
  return Hit{entry->value, entry->expires_at_ms};
}

bool RamStore::Contains(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || it->second.key != key.text()) return false;
  return !it->second.expires() || it->second.expires_at_ms > clock_->NowMs();
}

Status RamStore::Insert(const Key& key, Bytes value, int64_t expires_at_ms) {
  const bool expires = expires_at_ms != kNeverExpires;
  const uint64_t charge = ChargeFor(key.text().size(), value.size(), expires);
  if (charge > limit_bytes_) {
    Erase(key);  // the caller replaces the value; an older one must not outlive the write
    return Status(StatusCode::kTooLarge, "value of " + std::to_string(value.size()) +
                                             " bytes does not fit in a RAM tier of " + std::to_string(limit_bytes_) +
                                             " bytes");
  }
  if (expires && expires_at_ms <= clock_->NowMs()) {
    Erase(key);  // already expired, as when promoting an entry at the end of its life
    return Status::Ok();
  }
  Shard& shard = ShardFor(key.digest());
  {
    std::lock_guard lock(shard.mu);
    auto [it, inserted] = shard.entries.try_emplace(key.digest());
    Entry* entry = &it->second;
    if (inserted) {
      entry->digest = &it->first;
    } else {
      Shard::Unlink(entry);
      if (entry->expires()) shard.expiry.erase(entry->expiry);
      shard.bytes -= entry->charge;
      used_bytes_.fetch_sub(entry->charge, std::memory_order_relaxed);
    }
    if (entry->key != key.text()) entry->key = key.text();
    entry->value = std::move(value);
    entry->expires_at_ms = expires_at_ms;
    entry->charge = charge;
    shard.LinkFront(entry);
    if (expires) entry->expiry = shard.expiry.emplace(expires_at_ms, entry);
    shard.bytes += charge;
    used_bytes_.fetch_add(charge, std::memory_order_relaxed);
    if (OverBudget()) EvictLocked(shard, entry);
  }
  if (OverBudget()) EvictAcrossShards();
  return Status::Ok();
}

bool RamStore::Erase(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || it->second.key != key.text()) return false;
  const bool live = !it->second.expires() || it->second.expires_at_ms > clock_->NowMs();
  RemoveLocked(shard, &it->second);
  return live;
}

void RamStore::EraseAll() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    used_bytes_.fetch_sub(shard->bytes, std::memory_order_relaxed);
    shard->bytes = 0;
    shard->expiry.clear();
    shard->lru.prev = shard->lru.next = &shard->lru;
    shard->entries.clear();
  }
}

void RamStore::Sweep() {
  // Bounded batches keep each lock hold short while readers wait.
  constexpr int kBatch = 1024;
  for (auto& shard : shards_) {
    bool more = true;
    while (more) {
      std::lock_guard lock(shard->mu);
      const int64_t now = clock_->NowMs();
      int removed = 0;
      while (!shard->expiry.empty() && shard->expiry.begin()->first <= now && removed < kBatch) {
        ++shard->expirations;
        RemoveLocked(*shard, shard->expiry.begin()->second);
        ++removed;
      }
      more = removed == kBatch;
    }
  }
}

StoreCounters RamStore::Counters() const {
  StoreCounters counters;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    counters.entries += shard->entries.size();
    counters.bytes += shard->bytes;
    counters.evictions += shard->evictions;
    counters.expirations += shard->expirations;
  }
  return counters;
}

}  // namespace stratacache
