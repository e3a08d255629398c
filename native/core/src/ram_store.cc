#include "stratacache/ram_store.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "stratacache/eviction_policy.h"

namespace stratacache {

struct RamStore::Entry {
  // The map node's own key, so an entry found through a list can be erased from the map.
  const Digest* digest = nullptr;
  std::string key;
  Bytes value;
  int64_t expires_at_ms = kNeverExpires;
  uint64_t charge = 0;
  // lru and s3-fifo: a place in a list whose sentinel's `next` is the newest entry and `prev` the next to leave.
  Entry* prev = nullptr;
  Entry* next = nullptr;
  // Position in the shard's expiry index; meaningful only when the entry expires.
  std::multimap<int64_t, Entry*>::iterator expiry;
  // lfu and sized-lru: position in the shard's score index; `hits` counts uses since the value was written.
  std::multimap<int64_t, Entry*>::iterator ranked;
  uint32_t hits = 0;
  // s3-fifo: uses since the entry entered or last passed the tail of main (0..3), and which FIFO holds it.
  uint8_t freq = 0;
  bool in_small = false;
  // Entries of a namespace other than the default one: their place in the namespace's order.
  std::unique_ptr<NsNode> ns;

  bool expires() const { return expires_at_ms != kNeverExpires; }
};

struct RamStore::NsNode {
  // lru and s3-fifo: as Entry's links, in the namespace's lists.
  NsNode* prev = nullptr;
  NsNode* next = nullptr;
  Entry* entry = nullptr;
  NsShard* space = nullptr;
  // lfu and sized-lru: position in the namespace's score index, under the entry's score.
  std::multimap<int64_t, NsNode*>::iterator ranked;
};

struct RamStore::Namespace {
  explicit Namespace(std::string n) : name(std::move(n)) {}
  bool Over() const { return bytes.load(std::memory_order_relaxed) > limit.load(std::memory_order_relaxed); }

  const std::string name;
  std::atomic<uint64_t> limit{UINT64_MAX};
  std::atomic<uint64_t> bytes{0};  // its entries' charges (s3-fifo's ghosts are the store's)
};

struct RamStore::NsShard {
  explicit NsShard(Namespace* n) : ns(n) { lru.prev = lru.next = &lru, small.prev = small.next = &small; }
  NsShard(const NsShard&) = delete;
  NsShard& operator=(const NsShard&) = delete;

  Namespace* const ns;
  NsNode lru;    // as the shard's: lru's recency list, s3-fifo's main FIFO
  NsNode small;  // s3-fifo's small FIFO
  uint64_t small_bytes = 0;
  uint64_t bytes = 0;
  std::multimap<int64_t, NsNode*> ranked;
};

struct RamStore::Shard {
  Shard() { ResetLists(); }

  void ResetLists() {
    lru.prev = lru.next = &lru;
    small.prev = small.next = &small;
  }
  template <class Node>
  static void LinkFront(Node& list, Node* e) {
    e->prev = &list;
    e->next = list.next;
    list.next->prev = e;
    list.next = e;
  }
  template <class Node>
  static void Unlink(Node* e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
  }
  template <class Node>
  static Node* Last(Node& list) { return list.prev == &list ? nullptr : list.prev; }

  // s3-fifo remembers an evicted digest by its high word (the low word picks the shard). `ghost_order` is the
  // FIFO; `ghosts` maps each remembered digest to its place in it, counted from the first ever pushed, so a
  // digest forgotten by a hit and pushed again is not dropped by its stale older slot.
  void PushGhost(uint64_t fingerprint) {
    ghosts[fingerprint] = ghosts_popped + ghost_order.size();
    ghost_order.push_back(fingerprint);
  }
  void PopGhost() {
    auto it = ghosts.find(ghost_order.front());
    if (it != ghosts.end() && it->second == ghosts_popped) ghosts.erase(it);
    ghost_order.pop_front();
    ++ghosts_popped;
  }
  bool TakeGhost(uint64_t fingerprint) { return ghosts.erase(fingerprint) != 0; }

  std::mutex mu;
  std::unordered_map<Digest, Entry, DigestHash> entries;
  // lru: the recency list. s3-fifo: the main FIFO, beside `small` and the ghosts.
  Entry lru;
  Entry small;
  uint64_t small_bytes = 0;
  std::deque<uint64_t> ghost_order;
  std::unordered_map<uint64_t, uint64_t> ghosts;
  uint64_t ghosts_popped = 0;
  // lfu and sized-lru: entries by EvictionScore, lowest (first to go) first; equal scores in insertion order.
  std::multimap<int64_t, Entry*> ranked;
  // Entries that expire, soonest first, so that sweeping costs only what it removes.
  std::multimap<int64_t, Entry*> expiry;
  uint64_t bytes = 0;  // entries and ghosts
  // The namespaces other than the default one that have had entries here.
  std::unordered_map<std::string, NsShard> spaces;
  uint64_t evictions = 0;
  uint64_t expirations = 0;
  // ListEntries' order of this shard (its digests, sorted), kept between pages so that a walk sorts a shard once
  // rather than scanning all of it for every page. Built when `insertions` has moved on since (entries removed
  // since are looked up and passed over); freed when a walk leaves the shard. Outside the budget: 16 bytes an
  // entry while a walk is in the shard.
  uint64_t insertions = 0;
  std::vector<Digest> listing_order;
  std::optional<uint64_t> listing_order_at;  // `insertions` when listing_order was built
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

// A red-black tree node of four words around an (instant or score, entry) pair: the expiry and score indexes.
constexpr uint64_t kIndexNode = 4 * sizeof(void*) + sizeof(std::pair<int64_t, void*>);

// s3-fifo's small FIFO holds up to this share of a shard's entry bytes; the paper's 10%.
constexpr uint64_t kSmallShareDivisor = 10;
constexpr uint8_t kMaxFreq = 3;

bool Scored(RamPolicy policy) { return policy == RamPolicy::kLfu || policy == RamPolicy::kSizedLru; }

// The longest namespace name, in UTF-8 bytes (ts/namespace.ts checks the same).
constexpr size_t kMaxNamespaceBytes = 256;

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

uint64_t RamStore::GhostCharge() {
  // A deque slot, and a hash node (next link, fingerprint, place) with its bucket slot.
  return sizeof(uint64_t) + HeapBlock(sizeof(void*) + 2 * sizeof(uint64_t)) + sizeof(void*);
}

uint64_t RamStore::ChargeFor(size_t key_bytes, size_t value_bytes, bool expires, RamPolicy policy, bool namespaced) {
  // Hash node: the digest, the entry and the node's own link (plus a cached hash word), and its bucket slot.
  uint64_t charge = HeapBlock(sizeof(Digest) + sizeof(Entry) + 2 * sizeof(void*)) + sizeof(void*);
  // Keys beyond the small-string buffer live in a heap block of their own.
  if (key_bytes >= sizeof(std::string) / 2) charge += HeapBlock(key_bytes + 1);
  charge += HeapBlock(Bytes::kHeaderSize + value_bytes);
  if (expires) charge += HeapBlock(kIndexNode);
  if (Scored(policy)) charge += HeapBlock(kIndexNode);
  // The namespace's node, and its own score index node.
  if (namespaced) charge += HeapBlock(sizeof(NsNode)) + (Scored(policy) ? HeapBlock(kIndexNode) : 0);
  return charge;
}

RamStore::RamStore(RamStoreOptions options, std::shared_ptr<const Clock> clock)
    : limit_bytes_(options.limit_bytes), policy_(options.policy), clock_(std::move(clock)) {
  // A shard evicts its own victims, which approximates the global policy only when every shard holds many
  // entries; small budgets therefore get fewer shards, down to one (the exact policy).
  const uint64_t by_budget = std::min<uint64_t>(limit_bytes_ / kMinShardBytes, 1u << 16);
  const unsigned count = std::max(1u, std::min(RoundUpToPowerOfTwo(options.shards),
                                               RoundDownToPowerOfTwo(static_cast<unsigned>(by_budget))));
  shards_.reserve(count);
  for (unsigned i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>());
  shard_mask_ = count - 1;
}

RamStore::~RamStore() = default;

RamStore::Shard& RamStore::ShardFor(const Digest& digest) const { return *shards_[digest.low & shard_mask_]; }

void RamStore::AttachLocked(Shard& shard, Entry* entry, bool to_main) {
  NsNode* node = entry->ns.get();
  switch (policy_) {
    case RamPolicy::kLru:
      Shard::LinkFront(shard.lru, entry);
      if (node) Shard::LinkFront(node->space->lru, node);
      return;
    case RamPolicy::kLfu:
    case RamPolicy::kSizedLru:
      entry->hits = 0;
      entry->ranked = shard.ranked.emplace(
          EvictionScore(static_cast<EvictionPolicy>(policy_), clock_->NowMs(), 0, entry->value.size()), entry);
      if (node) node->ranked = node->space->ranked.emplace(entry->ranked->first, node);
      return;
    case RamPolicy::kS3Fifo:
      entry->freq = 0;
      entry->in_small = !to_main;
      Shard::LinkFront(to_main ? shard.lru : shard.small, entry);
      if (entry->in_small) shard.small_bytes += entry->charge;
      if (node) {
        Shard::LinkFront(to_main ? node->space->lru : node->space->small, node);
        if (entry->in_small) node->space->small_bytes += entry->charge;
      }
      return;
  }
}

void RamStore::TouchLocked(Shard& shard, Entry* entry) {
  switch (policy_) {
    case RamPolicy::kLru:
      Shard::Unlink(entry);
      Shard::LinkFront(shard.lru, entry);
      if (NsNode* node = entry->ns.get()) {
        Shard::Unlink(node);
        Shard::LinkFront(node->space->lru, node);
      }
      return;
    case RamPolicy::kLfu:
    case RamPolicy::kSizedLru: {
      if (entry->hits < kLfuMaxHits) ++entry->hits;
      // Re-keying the extracted node moves the entry without allocating.
      auto node = shard.ranked.extract(entry->ranked);
      node.key() = EvictionScore(static_cast<EvictionPolicy>(policy_), clock_->NowMs(), entry->hits,
                                 entry->value.size());
      entry->ranked = shard.ranked.insert(std::move(node));
      if (NsNode* ns = entry->ns.get()) {
        auto ns_node = ns->space->ranked.extract(ns->ranked);
        ns_node.key() = entry->ranked->first;
        ns->ranked = ns->space->ranked.insert(std::move(ns_node));
      }
      return;
    }
    case RamPolicy::kS3Fifo:
      if (entry->freq < kMaxFreq) ++entry->freq;
      return;
  }
}

void RamStore::DetachLocked(Shard& shard, Entry* entry) {
  NsNode* node = entry->ns.get();
  if (Scored(policy_)) {
    shard.ranked.erase(entry->ranked);
    if (node) node->space->ranked.erase(node->ranked);
    return;
  }
  Shard::Unlink(entry);
  if (entry->in_small) shard.small_bytes -= entry->charge;
  if (node) {
    Shard::Unlink(node);
    if (entry->in_small) node->space->small_bytes -= entry->charge;
  }
}

RamStore::Entry* RamStore::VictimLocked(Shard& shard, const Entry* keep) {
  if (Scored(policy_)) {
    auto it = shard.ranked.begin();
    if (it != shard.ranked.end() && it->second == keep) ++it;
    return it == shard.ranked.end() ? nullptr : it->second;
  }
  if (policy_ == RamPolicy::kLru) {
    Entry* coldest = Shard::Last(shard.lru);
    return coldest == keep ? nullptr : coldest;
  }
  return S3FifoVictimLocked(shard, keep, [&shard] {
    const uint64_t entry_bytes = shard.bytes - shard.ghost_order.size() * GhostCharge();
    return std::tuple<Entry*, Entry*, bool>{Shard::Last(shard.small), Shard::Last(shard.lru),
                                            shard.small_bytes * kSmallShareDivisor > entry_bytes};
  });
}

RamStore::Entry* RamStore::NamespaceVictimLocked(Shard& shard, NsShard& space, const Entry* keep) {
  const auto entry_of = [](NsNode* node) { return node == nullptr ? nullptr : node->entry; };
  if (Scored(policy_)) {
    auto it = space.ranked.begin();
    if (it != space.ranked.end() && it->second->entry == keep) ++it;
    return it == space.ranked.end() ? nullptr : it->second->entry;
  }
  if (policy_ == RamPolicy::kLru) {
    Entry* coldest = entry_of(Shard::Last(space.lru));
    return coldest == keep ? nullptr : coldest;
  }
  return S3FifoVictimLocked(shard, keep, [&space, entry_of] {
    return std::tuple<Entry*, Entry*, bool>{entry_of(Shard::Last(space.small)), entry_of(Shard::Last(space.lru)),
                                            space.small_bytes * kSmallShareDivisor > space.bytes};
  });
}

template <class Fifos>
RamStore::Entry* RamStore::S3FifoVictimLocked(Shard& shard, const Entry* keep, Fifos fifos) {
  // Ends: each pass moves an entry from small to main or lowers a counter.
  for (;;) {
    auto [small_tail, main_tail, small_over_share] = fifos();
    // `keep` is new, so at the front of its FIFO: at the tail only when alone there.
    if (small_tail == keep) small_tail = nullptr;
    if (main_tail == keep) main_tail = nullptr;
    const bool from_small = small_tail != nullptr && (main_tail == nullptr || small_over_share);
    Entry* tail = from_small ? small_tail : main_tail;
    if (tail == nullptr) return nullptr;
    if (tail->freq == 0) return tail;
    // Used again since it arrived (small) or since its last pass (main): it stays, in main.
    DetachLocked(shard, tail);
    const uint8_t freq = tail->freq;
    AttachLocked(shard, tail, /*to_main=*/true);
    if (!from_small) tail->freq = freq - 1;
  }
}

void RamStore::ChargeLocked(Shard& shard, const Entry& entry, int sign) {
  const uint64_t charge = sign > 0 ? entry.charge : 0 - entry.charge;  // wraps: unsigned sums subtract exactly
  shard.bytes += charge;
  used_bytes_.fetch_add(charge, std::memory_order_relaxed);
  if (entry.ns) {
    entry.ns->space->bytes += charge;
    entry.ns->space->ns->bytes.fetch_add(charge, std::memory_order_relaxed);
  }
}

void RamStore::RemoveLocked(Shard& shard, Entry* entry) {
  DetachLocked(shard, entry);
  if (entry->expires()) shard.expiry.erase(entry->expiry);
  ChargeLocked(shard, *entry, -1);
  // Copy the digest out: it lives in the node that erasing destroys.
  const Digest digest = *entry->digest;
  shard.entries.erase(digest);
  if (changes_) changes_->Bump(digest);
  // At most as many ghosts as entries: the paper sizes the ghost FIFO like main.
  while (shard.ghost_order.size() > shard.entries.size()) {
    shard.PopGhost();
    shard.bytes -= GhostCharge();
    used_bytes_.fetch_sub(GhostCharge(), std::memory_order_relaxed);
  }
}

void RamStore::ReportRemovalsTo(const EventHub* hub, std::string tier) {
  events_ = hub;
  tier_name_ = std::move(tier);
}

RamStore::RemovalLog RamStore::LogFor(Removals& removals) const {
  const bool wanted = events_ != nullptr && (events_->wants(EventKind::kEvict) || events_->wants(EventKind::kExpire));
  return wanted || departures_ ? &removals : nullptr;
}

void RamStore::NoteLocked(RemovalLog log, EventKind kind, const Entry& entry, std::string_view reason) const {
  if (log == nullptr) return;
  if (events_ != nullptr && events_->wants(kind)) {
    log->events.push_back(CacheEvent{kind, tier_name_, entry.key, std::string(reason), Status::Ok(),
                                     entry.ns ? entry.ns->space->ns->name : std::string()});
  }
  if (departures_) log->departures.push_back(Departure{*entry.digest, Hit{entry.value, entry.expires_at_ms}, kind});
}

void RamStore::Publish(Removals& removals) const {
  for (const CacheEvent& event : removals.events) events_->Emit(event);
  if (!removals.departures.empty()) departures_(std::move(removals.departures));
  removals.events.clear();
  removals.departures.clear();
}

void RamStore::EvictLocked(Shard& shard, const Entry* keep, RemovalLog log) {
  // Entries already past their expiry go first: they cost nothing to lose.
  const int64_t now = shard.expiry.empty() ? 0 : clock_->NowMs();
  while (OverBudget() && !shard.expiry.empty() && shard.expiry.begin()->first <= now &&
         shard.expiry.begin()->second != keep) {
    ++shard.expirations;
    NoteLocked(log, EventKind::kExpire, *shard.expiry.begin()->second, "budget");
    RemoveLocked(shard, shard.expiry.begin()->second);
  }
  while (OverBudget()) {
    Entry* victim = VictimLocked(shard, keep);
    if (victim == nullptr) return;
    EvictOneLocked(shard, victim, RamPolicyName(policy_), log);
  }
}

void RamStore::EvictOneLocked(Shard& shard, Entry* victim, std::string_view reason, RemovalLog log) {
  ++shard.evictions;
  NoteLocked(log, EventKind::kEvict, *victim, reason);
  // s3-fifo remembers what leaves small unused, so that its return goes straight to main.
  if (victim->in_small) {
    shard.PushGhost(victim->digest->high);
    shard.bytes += GhostCharge();
    used_bytes_.fetch_add(GhostCharge(), std::memory_order_relaxed);
  }
  RemoveLocked(shard, victim);
}

void RamStore::EvictAcrossShards(RemovalLog log) {
  for (auto& shard : shards_) {
    if (!OverBudget()) return;
    std::lock_guard lock(shard->mu);
    EvictLocked(*shard, nullptr, log);
  }
}

void RamStore::EvictNamespaceLocked(Shard& shard, NsShard& space, const Entry* keep, RemovalLog log) {
  while (space.ns->Over()) {
    Entry* victim = NamespaceVictimLocked(shard, space, keep);
    if (victim == nullptr) return;
    EvictOneLocked(shard, victim, "namespace", log);
  }
}

void RamStore::EvictNamespaceAcrossShards(const Namespace& ns, RemovalLog log) {
  for (auto& shard : shards_) {
    if (!ns.Over()) return;
    std::lock_guard lock(shard->mu);
    auto space = shard->spaces.find(ns.name);
    if (space != shard->spaces.end()) EvictNamespaceLocked(*shard, space->second, nullptr, log);
  }
}

RamStore::Namespace* RamStore::NamespaceNamed(const std::string& name) {
  if (name.empty()) return nullptr;
  std::lock_guard lock(namespaces_mu_);
  std::unique_ptr<Namespace>& ns = namespaces_[name];
  if (!ns) ns = std::make_unique<Namespace>(name);
  return ns.get();
}

Status RamStore::LimitNamespace(const std::string& name, std::optional<uint64_t> limit_bytes) {
  if (name.empty() || name.size() > kMaxNamespaceBytes) {
    return Status(StatusCode::kInvalidArg, "a namespace is a name of 1 to " + std::to_string(kMaxNamespaceBytes) +
                                               " UTF-8 bytes");
  }
  Namespace* ns = NamespaceNamed(name);
  ns->limit.store(limit_bytes.value_or(UINT64_MAX), std::memory_order_relaxed);
  Removals removed;
  const RemovalLog log = LogFor(removed);
  EvictNamespaceAcrossShards(*ns, log);
  if (log != nullptr) Publish(removed);
  return Status::Ok();
}

uint64_t RamStore::NamespaceBytes(const std::string& name) const {
  std::lock_guard lock(namespaces_mu_);
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? 0 : it->second->bytes.load(std::memory_order_relaxed);
}

namespace {

// Whether the entry found under a key's digest is that key's: a digest collision is detected, not served.
template <class Entry>
bool SameKey(const Entry& entry, const Key& key) {
  if (entry.key != key.text()) return false;
  return entry.ns ? entry.ns->space->ns->name == key.ns() : key.ns().empty();
}

}  // namespace

std::optional<Hit> RamStore::Lookup(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::unique_lock lock(shard.mu);
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || !SameKey(it->second, key)) return std::nullopt;
  Entry* entry = &it->second;
  if (entry->expires() && entry->expires_at_ms <= clock_->NowMs()) {
    ++shard.expirations;
    Removals expired;
    const RemovalLog log = LogFor(expired);
    NoteLocked(log, EventKind::kExpire, *entry, "read");
    RemoveLocked(shard, entry);
    lock.unlock();
    if (log != nullptr) Publish(expired);
    return std::nullopt;
  }
  TouchLocked(shard, entry);
  return Hit{entry->value, entry->expires_at_ms};
}

const RamStore::Entry* RamStore::LiveLocked(const Shard& shard, const Key& key) const {
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || !SameKey(it->second, key)) return nullptr;
  const Entry& entry = it->second;
  return entry.expires() && entry.expires_at_ms <= clock_->NowMs() ? nullptr : &entry;
}

std::optional<Hit> RamStore::Peek(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  const Entry* entry = LiveLocked(shard, key);
  if (entry == nullptr) return std::nullopt;
  return Hit{entry->value, entry->expires_at_ms};
}

bool RamStore::Contains(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  return LiveLocked(shard, key) != nullptr;  // without taking a reference to the value, as Peek does
}

Status RamStore::Insert(const Key& key, Bytes value, int64_t expires_at_ms) {
  const bool expires = expires_at_ms != kNeverExpires;
  Namespace* const ns = NamespaceNamed(key.ns());
  const uint64_t charge = ChargeFor(key.text().size(), value.size(), expires, policy_, ns != nullptr);
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
    std::lock_guard lock(shard.mu);
    auto [it, inserted] = shard.entries.try_emplace(key.digest());
    Entry* entry = &it->second;
    // s3-fifo: a rewritten entry keeps its place in main, and a digest remembered as a ghost returns to main.
    bool to_main = policy_ == RamPolicy::kS3Fifo && shard.TakeGhost(key.digest().high);
    if (inserted) {
      entry->digest = &it->first;
      ++shard.insertions;
    } else {
      to_main = to_main || (policy_ == RamPolicy::kS3Fifo && !entry->in_small);
      DetachLocked(shard, entry);
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
    entry->value = std::move(value);
    entry->expires_at_ms = expires_at_ms;
    entry->charge = charge;
    AttachLocked(shard, entry, to_main);
    if (expires) entry->expiry = shard.expiry.emplace(expires_at_ms, entry);
    ChargeLocked(shard, *entry, 1);
    if (changes_) changes_->Bump(key.digest());
    if (ns != nullptr && ns->Over()) EvictNamespaceLocked(shard, *entry->ns->space, entry, log);
    if (OverBudget()) EvictLocked(shard, entry, log);
  }
  if (ns != nullptr && ns->Over()) EvictNamespaceAcrossShards(*ns, log);
  if (OverBudget()) EvictAcrossShards(log);
  if (log != nullptr) Publish(removed);
  return Status::Ok();
}

bool RamStore::Erase(const Key& key) {
  Shard& shard = ShardFor(key.digest());
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key.digest());
  if (it == shard.entries.end() || !SameKey(it->second, key)) return false;
  const bool live = !it->second.expires() || it->second.expires_at_ms > clock_->NowMs();
  RemoveLocked(shard, &it->second);
  return live;
}

void RamStore::EraseDigest(const Digest& digest) {
  Shard& shard = ShardFor(digest);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(digest);
  if (it != shard.entries.end()) RemoveLocked(shard, &it->second);
}

void RamStore::EraseAllBut(const std::function<bool(const Digest&)>& keep) {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (auto it = shard->entries.begin(); it != shard->entries.end();) {
      Entry* entry = &it->second;
      ++it;  // RemoveLocked erases the node `it` stood on
      if (!keep(*entry->digest)) RemoveLocked(*shard, entry);
    }
  }
}

void RamStore::EraseAll() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    used_bytes_.fetch_sub(shard->bytes, std::memory_order_relaxed);
    shard->bytes = 0;
    for (auto& [name, space] : shard->spaces) space.ns->bytes.fetch_sub(space.bytes, std::memory_order_relaxed);
    shard->spaces.clear();
    shard->expiry.clear();
    shard->ResetLists();
    shard->small_bytes = 0;
    shard->ghost_order.clear();
    shard->ghosts.clear();
    shard->ranked.clear();
    shard->entries.clear();
  }
  if (changes_) changes_->BumpAll();
}

void RamStore::Sweep() {
  // Bounded batches keep each lock hold short while readers wait.
  constexpr int kBatch = 1024;
  Removals expired;
  const RemovalLog log = LogFor(expired);
  for (auto& shard : shards_) {
    bool more = true;
    while (more) {
      {
        std::lock_guard lock(shard->mu);
        const int64_t now = clock_->NowMs();
        int removed = 0;
        while (!shard->expiry.empty() && shard->expiry.begin()->first <= now && removed < kBatch) {
          ++shard->expirations;
          NoteLocked(log, EventKind::kExpire, *shard->expiry.begin()->second, "sweep");
          RemoveLocked(*shard, shard->expiry.begin()->second);
          ++removed;
        }
        more = removed == kBatch;
      }
      if (log != nullptr) Publish(expired);
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

void RamStore::ListEntries(const ListRequest& request, ListDone done) {
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
      const std::string_view ns = entry.ns ? std::string_view(entry.ns->space->ns->name) : std::string_view();
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

}  // namespace stratacache
