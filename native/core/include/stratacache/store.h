// The store contract. A store moves bytes and metadata for one tier; policy (what to promote, which TTL applies)
// lives in the tier chain above it. Every operation answers through a completion and never blocks its caller:
// an in-memory store calls the completion before returning, a slow store calls it later from its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stratacache/bytes.h"
#include "stratacache/change_counters.h"
#include "stratacache/entry_listing.h"
#include "stratacache/event_hub.h"
#include "stratacache/key.h"
#include "stratacache/status.h"

namespace stratacache {

// A value found in a store, with the absolute instant it expires (kNeverExpires for none).
struct Hit {
  Bytes value;
  int64_t expires_at_ms;
};

using GetDone = std::function<void(Status, std::optional<Hit>)>;

// What a read on the calling thread (Store::ReadHere) came to: a hit, a miss, or nothing yet: the read must go
// through Get (the store cannot answer without waiting, or found something Get must report).
enum class HereRead { kHit, kMiss, kLater };
// How far such a read may go: only to what the store keeps in memory-mapped pages, or also to what it must read
// from files with blocking calls (what the synchronous API asks, as it has no slower path).
enum class HereReach { kMapped, kFiles };
using Done = std::function<void(Status)>;
// Reports whether the key was present.
using FoundDone = std::function<void(Status, bool)>;

// Which entries Clean removes: those written longer ago than `max_age_ms`, then the oldest until the rest fit in
// `max_bytes`. Unset limits remove nothing.
struct CleanOptions {
  std::optional<int64_t> max_age_ms{};
  std::optional<uint64_t> max_bytes{};
};
// Reports how many entries were removed.
using CountDone = std::function<void(Status, uint64_t)>;

// What Verify found and repaired in a store that keeps content beside an index (disk).
struct VerifyReport {
  uint64_t entries = 0;          // entries left, all readable
  uint64_t removed_entries = 0;  // entries whose content was missing or corrupt
  uint64_t orphan_files = 0;     // content no entry used, removed
  uint64_t temp_files = 0;       // temp files of crashed writers, removed

  VerifyReport& operator+=(const VerifyReport& other) {
    entries += other.entries;
    removed_entries += other.removed_entries;
    orphan_files += other.orphan_files;
    temp_files += other.temp_files;
    return *this;
  }
};
using VerifyDone = std::function<void(Status, VerifyReport)>;

// How far a Verify has come, for a progress bar: stores add what they will check once they know it, then count
// what they checked, from any thread; whoever started the verify reads it when it likes.
struct VerifyProgress {
  std::atomic<uint64_t> checked{0};  // content items checked so far
  std::atomic<uint64_t> total{0};    // content items to check, as far as the stores have said
};

// What a store reports about itself; hit and miss counts are kept by the tier chain.
struct StoreCounters {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t evictions = 0;
  uint64_t expirations = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Checks, once when a cache opens, that the store can serve (a bucket exists, credentials are accepted).
  virtual void Open(Done done) { done(Status::Ok()); }

  // Finds a live entry; an expired or absent one is a miss (nullopt), not an error.
  virtual void Get(const Key& key, GetDone done) = 0;
  // Reports whether a live entry exists, without counting as a use of it.
  virtual void Has(const Key& key, FoundDone done) = 0;
  // Stores `value` until `expires_at_ms`, replacing any entry of the same key.
  virtual void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) = 0;
  virtual void Delete(const Key& key, FoundDone done) = 0;
  virtual void Clear(Done done) = 0;

  // Removes expired entries. Called periodically; stores also expire lazily on access.
  virtual void Sweep() = 0;
  // Removes entries by age and total size, for stores that nothing else bounds (S3); others remove nothing.
  virtual void Clean(const CleanOptions& options, CountDone done) {
    (void)options;
    done(Status::Ok(), 0);
  }
  // Checks entries against their content while the store keeps serving, repairing what it can; stores with
  // nothing that can drift apart report nothing.
  virtual void Verify(std::shared_ptr<VerifyProgress> progress, VerifyDone done) {
    (void)progress;
    done(Status::Ok(), VerifyReport{});
  }
  virtual StoreCounters Counters() const = 0;
  // One page of the live entries (see entry_listing.h), read from what the store keeps about them (its index),
  // never from their values. Stores that cannot list (S3, HTTP) refuse with kUnsupported.
  virtual void ListEntries(const ListRequest& request, ListDone done) {
    (void)request;
    done(Status(StatusCode::kUnsupported, "this tier cannot list its entries"), {});
  }

  // Whether operations wait on something outside the process (a server): those are what Cancel ends, and what
  // the tier chain may stop waiting for when the cache closes (TierChain::EndRemoteCalls).
  virtual bool remote() const { return false; }
  // Completes with kClosed, promptly and on the store's own thread, every operation in flight; operations started
  // afterwards run as usual. Stores that never wait on anything outside the process have nothing to end.
  virtual void Cancel() {}

  // A store that only serves reads (a remote source of pre-built artefacts): the tier chain sends it no write,
  // delete or clear, and a hit from it takes, in each tier above, the TTL that tier would give a set.
  virtual bool read_only() const { return false; }

  // Where to report the entries the store removes by itself, as "evict" and "expire" events of the tier named
  // `tier`, when `hub` wants them. The hub outlives the store. Stores that remove nothing by themselves ignore it.
  virtual void ReportRemovalsTo(const EventHub* hub, std::string tier) {
    (void)hub;
    (void)tier;
  }

  // Bounds what the entries of namespace `ns` (key.h; not the default one) may take in this store, charged as
  // the store's own budget charges them: past `limit_bytes` the store evicts that namespace's entries by its
  // policy ("evict" events with reason "namespace"), other namespaces untouched. nullopt lifts the bound. Stores
  // that cannot bound a namespace refuse with kInvalidArg.
  virtual Status LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) {
    (void)ns;
    (void)limit_bytes;
    return Status(StatusCode::kInvalidArg, "this tier cannot bound a namespace");
  }

  // Answers a Get on the calling thread, without a completion, when the store can do so within `reach`: a hit
  // (`*hit` set, counted as a use as Get counts it), a miss, or kLater when Get must be called. A store that
  // cannot (the default) always answers kLater. Called on any thread, as Get.
  virtual HereRead ReadHere(const Key& key, HereReach reach, std::optional<Hit>* hit) {
    (void)key;
    (void)reach;
    (void)hit;
    return HereRead::kLater;
  }

  // The synchronous face of a store whose operations all complete inline, or nullptr.
  virtual class InlineStore* AsInline() { return nullptr; }
  // The directory entries of a store that keeps files (see directory_store.h), or nullptr.
  virtual class DirectoryStore* AsDirectoryStore() { return nullptr; }
};

// An entry that left an inline store by eviction or expiry (`why`: kEvict or kExpire), with its value: what a
// write-back chain writes down into the tiers below.
struct Departure {
  Digest digest;
  Hit hit;
  EventKind why;
};
using DepartureSink = std::function<void(std::vector<Departure> departures)>;

// A store that answers at once (RAM). Its synchronous methods serve the cache's *Sync API and the tier chain's
// fast path, which must not pay for a completion object on every hit.
class InlineStore : public Store {
 public:
  virtual std::optional<Hit> Lookup(const Key& key) = 0;
  virtual bool Contains(const Key& key) = 0;
  virtual Status Insert(const Key& key, Bytes value, int64_t expires_at_ms) = 0;
  virtual bool Erase(const Key& key) = 0;
  virtual void EraseAll() = 0;
  // Removes the entry stored under `digest`, whatever its key: another process changed that entry in a tier
  // shared with it (see TierChain::ForgetAbove), and only the digest crossed over.
  virtual void EraseDigest(const Digest& digest) = 0;
  // Removes every entry but those whose digest `keep` answers true for.
  virtual void EraseAllBut(const std::function<bool(const Digest&)>& keep) = 0;
  // From now on, bump `counters` for every entry written or removed (the chain's, shared by its inline tiers).
  // A store whose entries can change must, or JavaScript-side copies of its values would go stale.
  virtual void CountChangesIn(std::shared_ptr<ChangeCounters> counters) = 0;
  // The live entry, without counting a use of it.
  virtual std::optional<Hit> Peek(const Key& key) = 0;
  // From now on, hand the entries that leave by eviction or expiry to `sink`, outside the store's locks.
  virtual void HandDeparturesTo(DepartureSink sink) = 0;

  InlineStore* AsInline() final { return this; }
  void Get(const Key& key, GetDone done) final { done(Status::Ok(), Lookup(key)); }
  void Has(const Key& key, FoundDone done) final { done(Status::Ok(), Contains(key)); }
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) final {
    done(Insert(key, std::move(value), expires_at_ms));
  }
  void Delete(const Key& key, FoundDone done) final { done(Status::Ok(), Erase(key)); }
  void Clear(Done done) final {
    EraseAll();
    done(Status::Ok());
  }
};

}  // namespace stratacache
