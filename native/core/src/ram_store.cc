#include "stratacache/ram_store.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ram_policies.h"
#include "stratacache/eviction_policy.h"

namespace stratacache {

namespace {

// The smallest budget worth a shard of its own.
constexpr uint64_t kMinShardBytes = 4ull << 20;

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

// A shard evicts its own victims, which approximates the global policy only when every shard holds many entries;
// small budgets therefore get fewer shards, down to one (the exact policy).
unsigned ShardCount(const RamStoreOptions& options) {
  const uint64_t by_budget = std::min<uint64_t>(options.limit_bytes / kMinShardBytes, 1u << 16);
  return std::max(1u, std::min(RoundUpToPowerOfTwo(options.shards),
                               RoundDownToPowerOfTwo(static_cast<unsigned>(by_budget))));
}

// The longest namespace name, in UTF-8 bytes (ts/namespace.ts checks the same).
constexpr size_t kMaxNamespaceBytes = 256;

// Calls `build` with the policy type named by `policy`: the one place a RamPolicy value becomes a type.
template <class Build>
auto WithPolicy(RamPolicy policy, Build build) {
  switch (policy) {
    case RamPolicy::kLfu:
      return build(std::type_identity<ram::Lfu>{});
    case RamPolicy::kSizedLru:
      return build(std::type_identity<ram::SizedLru>{});
    case RamPolicy::kS3Fifo:
      return build(std::type_identity<ram::S3Fifo>{});
    case RamPolicy::kLru:
      break;
  }
  return build(std::type_identity<ram::Lru>{});
}

}  // namespace

// The scored RAM policies are the core's EvictionPolicy values, so one casts to the other.
static_assert(static_cast<int>(RamPolicy::kLru) == static_cast<int>(EvictionPolicy::kLru));
static_assert(static_cast<int>(RamPolicy::kLfu) == static_cast<int>(EvictionPolicy::kLfu));
static_assert(static_cast<int>(RamPolicy::kSizedLru) == static_cast<int>(EvictionPolicy::kSizedLru));

std::string_view RamPolicyName(RamPolicy policy) {
  if (policy == RamPolicy::kS3Fifo) return "s3-fifo";
  return EvictionPolicyName(static_cast<EvictionPolicy>(policy));
}

std::optional<RamPolicy> ParseRamPolicy(std::string_view name) {
  if (name == "s3-fifo") return RamPolicy::kS3Fifo;
  const std::optional<EvictionPolicy> policy = ParseEvictionPolicy(name);
  if (!policy) return std::nullopt;
  return static_cast<RamPolicy>(*policy);
}

// What the store is over any policy: the global budget, the namespaces' limits and bytes, and who hears of what
// leaves. PolicyCore adds the shards.
class RamStore::Core : public InlineStore {
 public:
  // A namespace's limit and bytes, store-wide.
  struct Namespace {
    explicit Namespace(std::string n) : name(std::move(n)) {}
    bool Over() const { return bytes.load(std::memory_order_relaxed) > limit.load(std::memory_order_relaxed); }

    const std::string name;
    std::atomic<uint64_t> limit{UINT64_MAX};
    std::atomic<uint64_t> bytes{0};  // its entries' charges (a policy's memory of evicted entries is the store's)
  };

  Core(const RamStoreOptions& options, std::shared_ptr<const Clock> clock)
      : limit_bytes_(options.limit_bytes), policy_name_(RamPolicyName(options.policy)), clock_(std::move(clock)) {}

  void ReportRemovalsTo(const EventHub* hub, std::string tier) override {
    events_ = hub;
    tier_name_ = std::move(tier);
  }
  void CountChangesIn(std::shared_ptr<ChangeCounters> counters) override { changes_ = std::move(counters); }
  void HandDeparturesTo(DepartureSink sink) override { departures_ = std::move(sink); }
  Status LimitNamespace(const std::string& name, std::optional<uint64_t> limit_bytes) override {
    if (name.empty() || name.size() > kMaxNamespaceBytes) {
      return Status(StatusCode::kInvalidArg, "a namespace is a name of 1 to " + std::to_string(kMaxNamespaceBytes) +
                                                 " UTF-8 bytes");
    }
    Namespace* ns = NamespaceNamed(name);
    ns->limit.store(limit_bytes.value_or(UINT64_MAX), std::memory_order_relaxed);
    TrimNamespace(*ns);
    return Status::Ok();
  }
  uint64_t NamespaceBytes(const std::string& name) const {
    std::lock_guard lock(namespaces_mu_);
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? 0 : it->second->bytes.load(std::memory_order_relaxed);
  }
  virtual size_t shard_count() const = 0;

 protected:
  // What leaves under a shard's lock, handed on once it is released (a listener may call back in): events for the
  // hub, departures for the chain's write-back.
  struct Removals {
    std::vector<CacheEvent> events;
    std::vector<Departure> departures;
  };
  // Null when nobody wants either, so that nothing is copied for nobody.
  using RemovalLog = Removals*;

  // Evicts `ns`'s entries until it is within its limit (just lowered).
  virtual void TrimNamespace(const Namespace& ns) = 0;

  // The namespace named `name`, created unbounded when new; null for the default one.
  Namespace* NamespaceNamed(const std::string& name) {
    if (name.empty()) return nullptr;
    std::lock_guard lock(namespaces_mu_);
    std::unique_ptr<Namespace>& ns = namespaces_[name];
    if (!ns) ns = std::make_unique<Namespace>(name);
    return ns.get();
  }
  // A log to pass to the locked functions: `removals` when the hub wants evictions or expirations or a chain
  // takes departures, else null.
  RemovalLog LogFor(Removals& removals) const {
    const bool wanted =
        events_ != nullptr && (events_->wants(EventKind::kEvict) || events_->wants(EventKind::kExpire));
    return wanted || departures_ ? &removals : nullptr;
  }
  void Publish(Removals& removals) const {
    for (const CacheEvent& event : removals.events) events_->Emit(event);
    if (!removals.departures.empty()) departures_(std::move(removals.departures));
    removals.events.clear();
    removals.departures.clear();
  }
  bool OverBudget() const { return used_bytes_.load(std::memory_order_relaxed) > limit_bytes_; }

  const uint64_t limit_bytes_;
  const std::string_view policy_name_;  // the reason an eviction by the policy gives
  const std::shared_ptr<const Clock> clock_;
  std::atomic<uint64_t> used_bytes_{0};
  const EventHub* events_ = nullptr;
  std::string tier_name_;
  std::shared_ptr<ChangeCounters> changes_;  // null unless a chain counts changes
  DepartureSink departures_;                 // empty unless a write-back chain takes them

 private:
  mutable std::mutex namespaces_mu_;  // never held with a shard's lock
  // Every namespace ever written or limited: never dropped, so that pointers to them stay valid; a few hundred
  // bytes a namespace (with its part of each shard it reached), outside the budget.
  std::unordered_map<std::string, std::unique_ptr<Namespace>> namespaces_;
};

template <class Policy>
class RamStore::PolicyCore final : public RamStore::Core {
 public:
  PolicyCore(const RamStoreOptions& options, std::shared_ptr<const Clock> clock_in)
      : Core(options, std::move(clock_in)) {
    const unsigned count = ShardCount(options);
    shards_.reserve(count);
    for (unsigned i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>());
    shard_mask_ = count - 1;
  }

  static uint64_t ChargeFor(size_t key_bytes, size_t value_bytes, bool expires, bool namespaced) {
    using ram::HeapBlock;
    // Hash node: the digest, the entry (with the policy's fields) and the node's own link (plus a cached hash
    // word), and its bucket slot; and what the policy's structure adds for it.
    uint64_t charge = HeapBlock(sizeof(Digest) + sizeof(Entry) + 2 * sizeof(void*)) + sizeof(void*) +
                      Policy::kHeapBytesPerNode;
    // Keys beyond the small-string buffer live in a heap block of their own.
    if (key_bytes >= sizeof(std::string) / 2) charge += HeapBlock(key_bytes + 1);
    charge += HeapBlock(Bytes::kHeaderSize + value_bytes);
    if (expires) charge += HeapBlock(ram::kIndexNode);
    // The entry's node in its namespace's order.
    if (namespaced) charge += HeapBlock(sizeof(NsNode)) + Policy::kHeapBytesPerNode;
    return charge;
  }

  std::optional<Hit> Lookup(const Key& key) override {
    Shard& shard = ShardFor(key.digest());
    std::unique_lock lock(shard.mu);
    Entry* entry = FindLocked(shard, key);
    if (entry == nullptr) return std::nullopt;
    if (entry->expires() && entry->expires_at_ms <= clock_->NowMs()) {
      ExpireOnRead(shard, entry, lock);
      return std::nullopt;
    }
    InEachOrder(shard, *entry, [use = UseOf(*entry)](Policy& order, Node& node) { order.Touch(node, use); });
    return Hit{entry->value, entry->expires_at_ms};
  }
  std::optional<Hit> Peek(const Key& key) override {
    Shard& shard = ShardFor(key.digest());
    std::lock_guard lock(shard.mu);
    const Entry* entry = LiveLocked(shard, key);
    if (entry == nullptr) return std::nullopt;
    return Hit{entry->value, entry->expires_at_ms};
  }
  bool Contains(const Key& key) override {
    Shard& shard = ShardFor(key.digest());
    std::lock_guard lock(shard.mu);
    return LiveLocked(shard, key) != nullptr;  // without taking a reference to the value, as Peek does
  }
  Status Insert(const Key& key, Bytes value, int64_t expires_at_ms) override {
    const bool expires = expires_at_ms != kNeverExpires;
    Namespace* const ns = NamespaceNamed(key.ns());
    const uint64_t charge = ChargeFor(key.text().size(), value.size(), expires, ns != nullptr);
    const uint64_t ns_limit = ns == nullptr ? UINT64_MAX : ns->limit.load(std::memory_order_relaxed);
    if (charge > std::min(limit_bytes_, ns_limit)) {
      Erase(key);  // the caller replaces the value; an older one must not outlive the write
      const std::string where = charge > limit_bytes_
                                    ? "a RAM tier of " + std::to_string(limit_bytes_)
                                    : "namespace '" + key.ns() + "' limited to " + std::to_string(ns_limit);
      return Status(StatusCode::kTooLarge,
                    "value of " + std::to_string(value.size()) + " bytes does not fit in " + where + " bytes");
    }
    if (expires && expires_at_ms <= clock_->NowMs()) {
      Erase(key);  // already expired, as when promoting an entry at the end of its life
      return Status::Ok();
    }
    Shard& shard = ShardFor(key.digest());
    Removals removed;
    const RemovalLog log = LogFor(removed);
    {
      Graveyard dead;
      {
        std::lock_guard lock(shard.mu);
        auto [it, inserted] = shard.entries.try_emplace(key.digest());
        Entry* entry = &it->second;
        // A digest the shard remembers, and a rewritten entry past probation, skip probation.
        bool proven = shard.memory.Recall(key.digest().high);
        if (inserted) {
          entry->digest = &it->first;
          ++shard.insertions;
        } else {
          proven = proven || !Policy::OnProbation(*entry);
          DetachLocked(shard, *entry);
          if (entry->expires()) shard.expiry.erase(entry->expiry);
          ChargeLocked(shard, *entry, -1);
        }
        // A new entry of a namespace, or one replacing a colliding entry of another, takes a node in its order.
        if (ns == nullptr) {
          entry->ns.reset();
        } else if (!entry->ns || entry->ns->space->ns != ns) {
          entry->ns = std::make_unique<NsNode>();
          entry->ns->entry = entry;
          entry->ns->space = &shard.spaces.try_emplace(key.ns(), ns).first->second;
        }
        if (entry->key != key.text()) entry->key = key.text();
        dead.Bury(std::exchange(entry->value, std::move(value)));
        entry->expires_at_ms = expires_at_ms;
        entry->charge = charge;
        AttachLocked(shard, *entry, proven);
        if (expires) entry->expiry = shard.expiry.emplace(expires_at_ms, entry);
        ChargeLocked(shard, *entry, 1);
        if (changes_) changes_->Bump(key.digest());
        if (ns != nullptr && ns->Over()) EvictNamespaceLocked(shard, *entry->ns->space, entry, log, dead);
        if (OverBudget()) EvictLocked(shard, entry, log, dead);
      }
      if (ns != nullptr && ns->Over()) EvictNamespaceAcrossShards(*ns, log, dead);
      if (OverBudget()) EvictAcrossShards(log, dead);
    }
    if (log != nullptr) Publish(removed);
    return Status::Ok();
  }
  bool Erase(const Key& key) override {
    Shard& shard = ShardFor(key.digest());
    Graveyard dead;
    std::lock_guard lock(shard.mu);
    Entry* entry = FindLocked(shard, key);
    if (entry == nullptr) return false;
    const bool live = !entry->expires() || entry->expires_at_ms > clock_->NowMs();
    RemoveLocked(shard, entry, dead);
    return live;
  }
  void EraseAll() override {
    for (auto& shard : shards_) {
      EntryMap dead;
      std::lock_guard lock(shard->mu);
      used_bytes_.fetch_sub(shard->bytes, std::memory_order_relaxed);
      shard->bytes = 0;
      for (auto& [name, space] : shard->spaces) space.ns->bytes.fetch_sub(space.bytes, std::memory_order_relaxed);
      shard->spaces.clear();
      shard->expiry.clear();
      shard->order.Clear();
      shard->memory.Clear();
      dead.swap(shard->entries);
    }
    if (changes_) changes_->BumpAll();
  }
  void EraseDigest(const Digest& digest) override {
    Shard& shard = ShardFor(digest);
    Graveyard dead;
    std::lock_guard lock(shard.mu);
    auto it = shard.entries.find(digest);
    if (it != shard.entries.end()) RemoveLocked(shard, &it->second, dead);
  }
  void EraseAllBut(const std::function<bool(const Digest&)>& keep) override {
    for (auto& shard : shards_) {
      Graveyard dead;
      std::lock_guard lock(shard->mu);
      for (auto it = shard->entries.begin(); it != shard->entries.end();) {
        Entry* entry = &it->second;
        ++it;  // RemoveLocked extracts the node `it` stood on
        if (!keep(*entry->digest)) RemoveLocked(*shard, entry, dead);
      }
    }
  }
  void Sweep() override {
    // Bounded batches keep each lock hold short while readers wait.
    constexpr int kBatch = 1024;
    Removals expired;
    const RemovalLog log = LogFor(expired);
    for (auto& shard : shards_) {
      bool more = true;
      while (more) {
        {
          Graveyard dead;
          std::lock_guard lock(shard->mu);
          const int64_t now = clock_->NowMs();
          int removed = 0;
          while (!shard->expiry.empty() && shard->expiry.begin()->first <= now && removed < kBatch) {
            ++shard->expirations;
            NoteLocked(log, EventKind::kExpire, *shard->expiry.begin()->second, "sweep");
            RemoveLocked(*shard, shard->expiry.begin()->second, dead);
            ++removed;
          }
          more = removed == kBatch;
        }
        if (log != nullptr) Publish(expired);
      }
    }
  }
  StoreCounters Counters() const override {
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
  void ListEntries(const ListRequest& request, ListDone done) override {
    const size_t limit = std::max<size_t>(request.limit, 1);
    std::vector<ListedEntry> page;
    const size_t first = request.after ? static_cast<size_t>(request.after->low & shard_mask_) : 0;
    for (size_t index = first; index < shards_.size() && page.size() < limit; ++index) {
      Shard& shard = *shards_[index];
      std::lock_guard lock(shard.mu);
      if (shard.listing_order_at != shard.insertions) {
        shard.listing_order.clear();
        shard.listing_order.reserve(shard.entries.size());
        for (const auto& [digest, entry] : shard.entries) shard.listing_order.push_back(digest);
        std::sort(shard.listing_order.begin(), shard.listing_order.end(), DigestLess);
        shard.listing_order_at = shard.insertions;
      }
      const std::vector<Digest>& order = shard.listing_order;
      // The cursor orders entries within its own shard; every entry of a later shard comes after it.
      auto next = order.begin();
      if (index == first && request.after) {
        next = std::upper_bound(order.begin(), order.end(), *request.after, DigestLess);
      }
      const int64_t now = clock_->NowMs();
      for (; next != order.end() && page.size() < limit; ++next) {
        const auto found = shard.entries.find(*next);
        if (found == shard.entries.end()) continue;  // removed since the order was built
        const Entry& entry = found->second;
        const std::string_view ns = NamespaceOf(entry);
        if (entry.expires_at_ms <= now || (request.ns && *request.ns != ns) || !entry.key.starts_with(request.prefix)) {
          continue;
        }
        page.push_back(ListedEntry{*next, std::string(ns), entry.key, entry.value.size(), entry.expires_at_ms, {}, {}});
      }
      if (next == order.end()) {
        shard.listing_order = {};
        shard.listing_order_at.reset();
      }
    }
    done(Status::Ok(), std::move(page));
  }
  void TrimNamespace(const Namespace& ns) override {
    Removals removed;
    const RemovalLog log = LogFor(removed);
    {
      Graveyard dead;
      EvictNamespaceAcrossShards(ns, log, dead);
    }
    if (log != nullptr) Publish(removed);
  }
  size_t shard_count() const override { return shards_.size(); }

 private:
  using Node = typename Policy::Node;
  using Memory = typename Policy::Memory;
  struct NsShard;
  struct NsNode;

  struct Entry : Node {
    bool expires() const { return expires_at_ms != kNeverExpires; }

    // The map node's own key, so an entry found through its order can be erased from the map.
    const Digest* digest = nullptr;
    std::string key;
    Bytes value;
    int64_t expires_at_ms = kNeverExpires;
    uint64_t charge = 0;
    // Position in the shard's expiry index; meaningful only when the entry expires.
    typename std::multimap<int64_t, Entry*>::iterator expiry;
    // Entries of a namespace other than the default one: their place in the namespace's order.
    std::unique_ptr<NsNode> ns;
  };

  struct NsNode : Node {
    Entry* entry = nullptr;
    NsShard* space = nullptr;
  };

  // A namespace's entries in one shard, in its own instance of the policy.
  struct NsShard {
    explicit NsShard(Namespace* n) : ns(n) {}

    Namespace* const ns;
    Policy order;
    uint64_t bytes = 0;
  };

  using EntryMap = std::unordered_map<Digest, Entry, DigestHash>;

  struct Shard {
    std::mutex mu;
    EntryMap entries;
    Policy order;
    Memory memory;
    // Entries that expire, soonest first, so that sweeping costs only what it removes.
    std::multimap<int64_t, Entry*> expiry;
    uint64_t bytes = 0;  // entries and memory
    // The namespaces other than the default one that have had entries here.
    std::unordered_map<std::string, NsShard> spaces;
    uint64_t evictions = 0;
    uint64_t expirations = 0;
    // ListEntries' order of this shard (its digests, sorted), kept between pages so that a walk sorts a shard
    // once rather than scanning all of it for every page. Built when `insertions` has moved on since (entries
    // removed since are looked up and passed over); freed when a walk leaves the shard. Outside the budget: 16
    // bytes an entry while a walk is in the shard.
    uint64_t insertions = 0;
    std::vector<Digest> listing_order;
    std::optional<uint64_t> listing_order_at;  // `insertions` when listing_order was built
  };

  // What a shard lets go of under its lock (removed entries' map nodes, with their keys, values and namespace
  // nodes; a replaced value), freed when this is destroyed: declared before the lock, it outlives it.
  class Graveyard {
   public:
    void Bury(typename EntryMap::node_type node) {
      if (first_.empty()) {
        first_ = std::move(node);
      } else {
        rest_.push_back(std::move(node));
      }
    }
    void Bury(Bytes value) { value_ = std::move(value); }

   private:
    // The first in a slot of its own, so that removing one entry allocates nothing under the lock.
    typename EntryMap::node_type first_;
    std::vector<typename EntryMap::node_type> rest_;
    Bytes value_;
  };

  static std::string_view NamespaceOf(const Entry& entry) {
    return entry.ns ? std::string_view(entry.ns->space->ns->name) : std::string_view();
  }
  // Whether the entry found under a key's digest is that key's: a digest collision is detected, not served.
  static bool SameKey(const Entry& entry, const Key& key) {
    if (entry.key != key.text()) return false;
    return entry.ns ? entry.ns->space->ns->name == key.ns() : key.ns().empty();
  }

  Shard& ShardFor(const Digest& digest) const { return *shards_[digest.low & shard_mask_]; }
  // The entry of `key` in `shard`, live or not, or nullptr; the caller holds the shard's lock.
  static Entry* FindLocked(Shard& shard, const Key& key) {
    auto it = shard.entries.find(key.digest());
    return it == shard.entries.end() || !SameKey(it->second, key) ? nullptr : &it->second;
  }
  // The live entry of `key` in `shard`, or nullptr; the caller holds the shard's lock. Uses nothing.
  const Entry* LiveLocked(Shard& shard, const Key& key) const {
    const Entry* entry = FindLocked(shard, key);
    return entry == nullptr || (entry->expires() && entry->expires_at_ms <= clock_->NowMs()) ? nullptr : entry;
  }

  // Applies `step(order, node)` to each order that holds `entry`: its shard's, and its namespace's if any.
  template <class Step>
  static void InEachOrder(Shard& shard, Entry& entry, Step step) {
    step(shard.order, static_cast<Node&>(entry));
    if (entry.ns) step(entry.ns->space->order, static_cast<Node&>(*entry.ns));
  }
  ram::Use UseOf(const Entry& entry) const {
    return {Policy::kWeighsTime ? clock_->NowMs() : 0, entry.value.size(), entry.charge};
  }
  // The entry joins its orders (`proven`: past probation) or leaves them; the caller holds the shard's lock.
  void AttachLocked(Shard& shard, Entry& entry, bool proven) {
    InEachOrder(shard, entry, [use = UseOf(entry), proven](Policy& order, Node& node) {
      order.Insert(node, use, proven);
    });
  }
  static void DetachLocked(Shard& shard, Entry& entry) {
    InEachOrder(shard, entry, [&entry](Policy& order, Node& node) { order.Erase(node, entry.charge); });
  }

  // The entry `order` (the shard's or one of its namespaces') gives up next, other than `keep`; candidates that
  // earned another round get it in each of their orders. `entry_of` maps the order's nodes to entries.
  template <class EntryOf>
  static Entry* VictimLocked(Shard& shard, Policy& order, const Node* keep, EntryOf entry_of) {
    for (;;) {
      Node* candidate = order.Candidate(keep);
      if (candidate == nullptr) return nullptr;
      Entry* entry = entry_of(candidate);
      if (Policy::Expendable(*candidate)) return entry;
      InEachOrder(shard, *entry, [entry](Policy& in, Node& node) { in.Spare(node, entry->charge); });
    }
  }
  static Entry* ShardVictimLocked(Shard& shard, const Entry* keep) {
    return VictimLocked(shard, shard.order, keep, [](Node* node) { return static_cast<Entry*>(node); });
  }
  static Entry* NamespaceVictimLocked(Shard& shard, NsShard& space, const Entry* keep) {
    const Node* keep_node = keep == nullptr ? nullptr : keep->ns.get();
    return VictimLocked(shard, space.order, keep_node, [](Node* node) { return static_cast<NsNode*>(node)->entry; });
  }

  // Adds (`sign` 1) or removes (-1) `charge` from the shard's and the store's bytes.
  void ChargeShardLocked(Shard& shard, uint64_t charge, int sign) {
    const uint64_t delta = sign > 0 ? charge : 0 - charge;  // wraps: unsigned sums subtract exactly
    shard.bytes += delta;
    used_bytes_.fetch_add(delta, std::memory_order_relaxed);
  }
  // Adds or removes `entry`'s charge from the shard's, the store's and its namespace's bytes.
  void ChargeLocked(Shard& shard, const Entry& entry, int sign) {
    ChargeShardLocked(shard, entry.charge, sign);
    if (entry.ns) {
      const uint64_t delta = sign > 0 ? entry.charge : 0 - entry.charge;
      entry.ns->space->bytes += delta;
      entry.ns->space->ns->bytes.fetch_add(delta, std::memory_order_relaxed);
    }
  }
  // Removes `entry`, found expired by a read, and releases `lock`. Out of Lookup's line, which stays short for
  // the hits.
  [[gnu::noinline]] void ExpireOnRead(Shard& shard, Entry* entry, std::unique_lock<std::mutex>& lock) {
    ++shard.expirations;
    Removals expired;
    const RemovalLog log = LogFor(expired);
    NoteLocked(log, EventKind::kExpire, *entry, "read");
    Graveyard dead;
    RemoveLocked(shard, entry, dead);
    lock.unlock();
    if (log != nullptr) Publish(expired);
  }
  // Unlinks `entry` and hands it to `dead`; the caller holds the shard's lock.
  void RemoveLocked(Shard& shard, Entry* entry, Graveyard& dead) {
    DetachLocked(shard, *entry);
    if (entry->expires()) shard.expiry.erase(entry->expiry);
    ChargeLocked(shard, *entry, -1);
    // Copy the digest out: it lives in the node that extracting hands over.
    const Digest digest = *entry->digest;
    dead.Bury(shard.entries.extract(digest));
    if (changes_) changes_->Bump(digest);
    // At most as many remembered entries as resident ones: the paper sizes the ghost FIFO like main.
    while (shard.memory.size() > shard.entries.size()) {
      shard.memory.ForgetOldest();
      ChargeShardLocked(shard, Memory::Charge(), -1);
    }
  }
  // Records that `entry` is leaving by eviction or expiry (`kind`), in `log` if there is one.
  void NoteLocked(RemovalLog log, EventKind kind, const Entry& entry, std::string_view reason) const {
    if (log == nullptr) return;
    if (events_ != nullptr && events_->wants(kind)) {
      log->events.push_back(
          CacheEvent{kind, tier_name_, entry.key, std::string(reason), Status::Ok(), std::string(NamespaceOf(entry))});
    }
    if (departures_) log->departures.push_back(Departure{*entry.digest, Hit{entry.value, entry.expires_at_ms}, kind});
  }
  // Evicts `victim`, for the eviction event's `reason`.
  void EvictOneLocked(Shard& shard, Entry* victim, std::string_view reason, RemovalLog log, Graveyard& dead) {
    ++shard.evictions;
    NoteLocked(log, EventKind::kEvict, *victim, reason);
    // What leaves on probation is remembered, so that its return skips probation (s3-fifo's ghosts).
    if (Policy::OnProbation(*victim)) {
      shard.memory.Remember(victim->digest->high);
      ChargeShardLocked(shard, Memory::Charge(), 1);
    }
    RemoveLocked(shard, victim, dead);
  }
  // Evicts the victims of `space`'s order in `shard` while its namespace is over its limit.
  void EvictNamespaceLocked(Shard& shard, NsShard& space, const Entry* keep, RemovalLog log, Graveyard& dead) {
    while (space.ns->Over()) {
      Entry* victim = NamespaceVictimLocked(shard, space, keep);
      if (victim == nullptr) return;
      EvictOneLocked(shard, victim, "namespace", log, dead);
    }
  }
  // Evicts `ns`'s entries from every shard, one at a time, until it is within its limit.
  void EvictNamespaceAcrossShards(const Namespace& ns, RemovalLog log, Graveyard& dead) {
    for (auto& shard : shards_) {
      if (!ns.Over()) return;
      std::lock_guard lock(shard->mu);
      auto space = shard->spaces.find(ns.name);
      if (space != shard->spaces.end()) EvictNamespaceLocked(*shard, space->second, nullptr, log, dead);
    }
  }
  // Evicts the policy's victims in `shard` (sparing `keep`) until the store is within budget or none is left.
  void EvictLocked(Shard& shard, const Entry* keep, RemovalLog log, Graveyard& dead) {
    // Entries already past their expiry go first: they cost nothing to lose.
    const int64_t now = shard.expiry.empty() ? 0 : clock_->NowMs();
    while (OverBudget() && !shard.expiry.empty() && shard.expiry.begin()->first <= now &&
           shard.expiry.begin()->second != keep) {
      ++shard.expirations;
      NoteLocked(log, EventKind::kExpire, *shard.expiry.begin()->second, "budget");
      RemoveLocked(shard, shard.expiry.begin()->second, dead);
    }
    while (OverBudget()) {
      Entry* victim = ShardVictimLocked(shard, keep);
      if (victim == nullptr) return;
      EvictOneLocked(shard, victim, policy_name_, log, dead);
    }
  }
  // Evicts from every shard, one at a time, until the store is within budget.
  void EvictAcrossShards(RemovalLog log, Graveyard& dead) {
    for (auto& shard : shards_) {
      if (!OverBudget()) return;
      std::lock_guard lock(shard->mu);
      EvictLocked(*shard, nullptr, log, dead);
    }
  }

  std::vector<std::unique_ptr<Shard>> shards_;
  uint64_t shard_mask_ = 0;
};

RamStore::RamStore(RamStoreOptions options, std::shared_ptr<const Clock> clock)
    : limit_bytes_(options.limit_bytes),
      core_(WithPolicy(options.policy, [&]<class Policy>(std::type_identity<Policy>) -> std::unique_ptr<Core> {
        return std::make_unique<PolicyCore<Policy>>(options, std::move(clock));
      })) {}

RamStore::~RamStore() = default;

uint64_t RamStore::ChargeFor(size_t key_bytes, size_t value_bytes, bool expires, RamPolicy policy, bool namespaced) {
  return WithPolicy(policy, [&]<class Policy>(std::type_identity<Policy>) {
    return PolicyCore<Policy>::ChargeFor(key_bytes, value_bytes, expires, namespaced);
  });
}

uint64_t RamStore::GhostCharge() { return ram::GhostFifo::Charge(); }

std::optional<Hit> RamStore::Lookup(const Key& key) { return core_->Lookup(key); }
std::optional<Hit> RamStore::Peek(const Key& key) { return core_->Peek(key); }
bool RamStore::Contains(const Key& key) { return core_->Contains(key); }
Status RamStore::Insert(const Key& key, Bytes value, int64_t expires_at_ms) {
  return core_->Insert(key, std::move(value), expires_at_ms);
}
bool RamStore::Erase(const Key& key) { return core_->Erase(key); }
void RamStore::EraseAll() { core_->EraseAll(); }
void RamStore::EraseDigest(const Digest& digest) { core_->EraseDigest(digest); }
void RamStore::EraseAllBut(const std::function<bool(const Digest&)>& keep) { core_->EraseAllBut(keep); }
void RamStore::Sweep() { core_->Sweep(); }
StoreCounters RamStore::Counters() const { return core_->Counters(); }
void RamStore::ListEntries(const ListRequest& request, ListDone done) {
  core_->ListEntries(request, std::move(done));
}
void RamStore::ReportRemovalsTo(const EventHub* hub, std::string tier) {
  core_->ReportRemovalsTo(hub, std::move(tier));
}
void RamStore::CountChangesIn(std::shared_ptr<ChangeCounters> counters) { core_->CountChangesIn(std::move(counters)); }
void RamStore::HandDeparturesTo(DepartureSink sink) { core_->HandDeparturesTo(std::move(sink)); }
Status RamStore::LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) {
  return core_->LimitNamespace(ns, limit_bytes);
}
uint64_t RamStore::NamespaceBytes(const std::string& ns) const { return core_->NamespaceBytes(ns); }
size_t RamStore::shard_count() const { return core_->shard_count(); }

}  // namespace stratacache
