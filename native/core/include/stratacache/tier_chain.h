// The tier chain: the one place that decides how tiers work together, written once against the store contract.
//
// Reads go down the tiers until one hits; the hit is promoted into every tier above it with its remaining TTL
// (from a read-only tier, which keeps no expiry, with the TTL each tier above would give a set).
// Writes, deletes and clears pass read-only tiers by; a chain needs at least one tier that is not read-only.
// Writes go through to every tier, each with the TTL that resolves for it (see TtlResolver: per call, else the
// first matching tag rule, else the tier's default, else the cache's); a tier whose circuit breaker is open
// (kUnavailable) does not fail a write that another tier took, it is reported as an event instead. Leading tiers that
// complete inline (RAM) are served without any completion object, which is also what the synchronous API uses.
//
// With write-back (EnableWriteBack) writes go to the first tier only; an entry written so is demoted, written down
// into the tiers below in the background, when it leaves the first tier by eviction or expiry, and Flush writes
// down those still only there. Until its write down has finished a demoted entry is still found by reads.
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
#include "stratacache/directory_store.h"
#include "stratacache/event_hub.h"
#include "stratacache/single_flight.h"
#include "stratacache/store.h"
#include "stratacache/ttl.h"
#include "stratacache/ttl_rules.h"

namespace stratacache {

struct TierSpec {
  std::string name;
  std::unique_ptr<Store> store;
  Ttl default_ttl = Ttl::Unset();
};

struct TierStats {
  std::string name;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t promotions = 0;  // hits of lower tiers copied into this one
  uint64_t demotions = 0;   // entries of a write-back first tier written down into this one
  StoreCounters store;
};

// Calls `visit(name, value)` for each counter of a tier, under the names the JavaScript API uses.
template <class Visit>
void VisitCounters(const TierStats& tier, Visit visit) {
  visit("hits", tier.hits);
  visit("misses", tier.misses);
  visit("promotions", tier.promotions);
  visit("demotions", tier.demotions);
  visit("entries", tier.store.entries);
  visit("bytes", tier.store.bytes);
  visit("evictions", tier.store.evictions);
  visit("expirations", tier.store.expirations);
}

struct ChainStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  std::vector<TierStats> tiers;
};

class TierChain : public std::enable_shared_from_this<TierChain> {
 public:
  // `rules` must have passed CheckTtlRules against the tiers' names.
  static std::shared_ptr<TierChain> Create(std::vector<TierSpec> tiers, Ttl default_ttl,
                                           std::shared_ptr<const Clock> clock, const std::vector<TtlRule>& rules = {});

  // Turns write-back on (see above). Call once, before the chain is used; kInvalidArg unless the first tier
  // completes inline (RAM) and a tier below it takes writes.
  Status EnableWriteBack();

  // Asks every tier whether it can serve; fails with the first tier's refusal.
  void Open(Done done);
  void Get(const Key& key, GetDone done);
  void Has(const Key& key, FoundDone done);
  void Set(const Key& key, Bytes value, const WriteOptions& write, Done done);
  void Delete(const Key& key, FoundDone done);
  void Clear(Done done);
  // Ends a flight of getOrSet (see SingleFlight) whose loader produced `value`: stores it as Set does, then hands
  // the stored value, or the write's failure, to the flight's waiters. The waiters need not still be there.
  void Land(const Key& key, uint64_t flight, Bytes value, const WriteOptions& write, Done done);

  // The synchronous API. Reads see the leading inline tiers and, below them, the tiers that answer on the calling
  // thread (Store::ReadHere, reaching into files), down to the first that cannot answer there: what lies below it
  // is a miss here. `found_in`, when given, receives the index of the tier that answered a hit (0 for any inline
  // one). Writes and deletes complete on the inline tiers at once and continue to the tiers below in the
  // background, reporting failures to the error listener.
  std::optional<Hit> GetNow(const Key& key, size_t* found_in = nullptr);
  bool HasNow(const Key& key);
  Status SetNow(const Key& key, Bytes value, const WriteOptions& write);
  bool DeleteNow(const Key& key);

  // The pieces of Get, for callers that answer an inline hit at once and start the slow path only on a miss:
  // LookupInline reads the inline tiers (counting per-tier hits and misses); GetBelowInline continues from the
  // first tier that does not complete inline.
  std::optional<Hit> LookupInline(const Key& key);
  void GetBelowInline(const Key& key, GetDone done) { GetBelow(inline_prefix_, key, std::move(done)); }
  // The same pieces for tiers that answer on the calling thread (Store::ReadHere, from memory-mapped pages only):
  // GetHere reads as far as the tiers answer there, counting and promoting as Get does, and is true when it
  // answered (`*hit`: a hit, or nullopt for a miss in every tier); false when the tiers from `*next` on must be
  // read, which GetFrom does.
  bool GetHere(const Key& key, std::optional<Hit>* hit, size_t* next);
  void GetFrom(size_t next, const Key& key, GetDone done) { GetBelow(next, key, std::move(done)); }
  // How many leading tiers complete inline (RAM).
  size_t inline_tiers() const { return inline_prefix_; }

  // A read whose call to the first tier below the inline ones the build makes itself (the Node build's redis()
  // tier, which JavaScript reads without a round trip through the core: see docs/design.md), completed as Get
  // would. BeginOutsideRead serves `key` from the inline tiers (or write-back's entries being written down); on a
  // miss it fills `read`, to be handed back with that tier's answer to AnswerOutsideRead, which counts it,
  // reports a failure, promotes a hit into the tiers above and, on a miss, reads the tiers below.
  struct OutsideRead {
    uint32_t forgets = 0;  // the key's stripe of forgets_ when the read began
  };
  std::optional<Hit> BeginOutsideRead(const Key& key, OutsideRead* read);
  void AnswerOutsideRead(const Key& key, OutsideRead read, Status status, std::optional<Hit> hit, GetDone done);
  // Whether AnswerOutsideRead completes before it returns: when the tier read outside is the last one.
  bool outside_read_is_last() const { return inline_prefix_ + 1 == tiers_.size(); }

  // True when every tier completes inline (RAM only): every operation then finishes before it returns.
  bool all_inline() const { return inline_prefix_ == tiers_.size(); }
  // Bumped by the inline tiers for every entry they write or remove (see ChangeCounters).
  const std::shared_ptr<ChangeCounters>& changes() const { return changes_; }
  // Marks `key` as used in the first inline tier that holds it (its policy's recency and frequency), without
  // counting a hit: for hits served from copies outside the core, which the caller counts itself.
  void TouchInline(const Key& key);

  // Another process changed the entry under `digest` (nullptr: cleared every entry) in tier `shared`, a tier it
  // shares with this one: drops what the tiers above `shared` hold of it, which must all be inline (RAM) ones,
  // since only they can be kept from serving an older copy. A write-back write the first tier holds and has not
  // written down yet stays: it will be written down later, and so counts as the later write. kInvalidArg for an
  // unknown tier, or a tier above that is not inline. A read of a lower tier under way meanwhile does not promote
  // what it finds (it may have been read before the change).
  Status ForgetAbove(std::string_view shared, const Digest* digest);

  // Calls `done` once every background write started before it (what setSync, deleteSync and promotions send to
  // slower tiers) to tier `tier` (empty: to any tier) has finished; at once when none is in flight. With
  // write-back it first writes down every entry that only the first tier holds. Failures went to the error
  // listeners; an unknown tier name fails with kInvalidArg.
  void Flush(std::string_view tier, Done done);

  // Closing, in two steps. EndRemoteCalls ends at once, with kClosed, every call in flight that waits on a remote
  // tier (Store::remote): a read no longer goes on to the tiers below, a write or delete fails. Their requests go
  // on, since background writes (which must not be lost) may share the stores with them, until CancelRemote
  // cancels everything the remote tiers still have in flight: call it once Flush has written down what it must.
  void EndRemoteCalls();
  void CancelRemote();

  // Bounds namespace `ns` in each tier named in `limits` (Store::LimitNamespace; nullopt lifts the bound). Fails,
  // changing nothing, for a tier name the chain lacks; a tier that cannot bound a namespace fails it after the
  // tiers before it took their limits.
  Status LimitNamespace(const std::string& ns, const std::map<std::string, std::optional<uint64_t>>& limits);

  void Sweep();
  // Cleans every tier (see Store::Clean); reports how many entries were removed in all.
  void Clean(const CleanOptions& options, CountDone done);
  // Verifies every tier (see Store::Verify); reports the tiers' findings summed, and their progress in `progress`.
  void Verify(std::shared_ptr<VerifyProgress> progress, VerifyDone done);
  ChainStats Stats() const;
  // One page of the live entries of the tier named `tier` (Store::ListEntries); an unknown name fails with
  // kInvalidArg, and a failure names the tier.
  void ListEntries(std::string_view tier, const ListRequest& request, ListDone done);
  // Where the chain reports what it absorbed ("error" events for a failed promotion, a tier that could not be
  // read, a background write that failed, a tier passed over by a write because it is unavailable), promotions,
  // and what its stores evicted or expired by themselves.
  EventHub& events() { return events_; }
  size_t tier_count() const { return tiers_.size(); }
  // The directory entries of the first tier that keeps them (disk), or nullptr.
  DirectoryStore* directories() const;
  // The chain's in-flight loads, shared by every handle on the chain.
  SingleFlight& flights() { return flights_; }

 private:
  struct Tier;

  TierChain(std::vector<TierSpec> tiers, Ttl default_ttl, std::shared_ptr<const Clock> clock,
            const std::vector<TtlRule>& rules);

  // Reads tiers from `first` (the first tier that does not complete inline) downwards.
  void GetBelow(size_t first, Key key, GetDone done);
  // What tier `first` answered a read with, `forgets` as the key's stripe read when the read was sent.
  void AnswerBelow(size_t first, Key key, uint32_t forgets, Status status, std::optional<Hit> hit, GetDone done);
  // With write-back, the entry of `key` being written down, counted as a hit of the first tier below the inline ones.
  std::optional<Hit> LeavingHit(const Key& key);
  // Reads the inline tiers, then the tiers below that answer on the calling thread within `reach`: true when
  // answered (`*hit` and `*found_in` as GetNow says), false with `*next` the first tier that could not answer.
  // Counts per-tier hits and misses, not the chain's misses.
  bool LookupHere(const Key& key, HereReach reach, std::optional<Hit>* hit, size_t* next, size_t* found_in);
  // Counts `hit`, read from tier `tier`, and promotes it unless a change to its key was announced since
  // `forgets` was read (the key's stripe of forgets_ before the read).
  void ServeHit(size_t tier, const Key& key, const Hit& hit, uint32_t forgets);
  // Serves `hit`, an entry the first tier let go and the tier below has not taken yet (FindLeaving), as that
  // tier's hit: counted and promoted.
  void ServeLeaving(const Key& key, const Hit& hit);
  void HasBelow(size_t first, Key key, FoundDone done);
  // Brackets a background write: Begin returns its id, End retires it and completes the flushes it held up.
  uint64_t BeginBackground(size_t tier);
  void EndBackground(uint64_t id);
  // Writes `value` into tier `tier` in the background (Flush waits for it); `landed(stored)` runs once it is done.
  // A failure other than kTooLarge (a value the tier passes over) goes to the error listeners.
  void PutInBackground(size_t tier, const Key& key, const Bytes& value, int64_t expires_at_ms,
                       std::function<void(bool stored)> landed);
  // Copies a hit found in tier `found_in` into every tier above it.
  void Promote(const Key& key, const Hit& hit, size_t found_in);
  int64_t ExpiryFor(size_t tier, const WriteOptions& write, int64_t now_ms) const;
  void ReportError(const Tier& tier, const Key& key, const Status& status) const;
  // A "promote" event: the hit found in tier `from` was copied into tier `into`.
  void ReportPromotion(size_t into, size_t from, const Key& key) const;
  // A "demote" event: an entry of the first tier was written down into tier `into`, as `why` says.
  void ReportDemotion(size_t into, const Key& key, std::string_view why) const;

  // `done`, answered by whichever comes first: tier `tier`'s answer or EndRemoteCalls (then with kClosed and
  // default values). Only calls to a remote tier are registered for that; others get `done` back unchanged.
  template <class... Args>
  std::function<void(Status, Args...)> EndableCall(size_t tier, std::function<void(Status, Args...)> done);
  void ForgetRemoteCall(uint64_t id);

  // Write-back. A write only the first tier holds so far, by key digest. `value` names the bytes it stored (they
  // are shared, not copied, so the first tier's entry holds the same block): a departure or flush of another value
  // of the key does not settle it.
  // `order` counts writes, so that a flush, and each batch of departures, writes them down oldest first, as the
  // tiers below would have seen them under write-through (a bounded tier then keeps the most recent that fit).
  struct PendingWrite {
    Key key;
    WriteOptions write;
    int64_t written_at_ms;
    const uint8_t* value;
    uint64_t order;
  };
  // An entry being written down, held until every tier below has it, so that reads meanwhile still find it.
  struct Leaving {
    std::string key;
    Hit hit;
    uint64_t id;
  };
  // Stores a write-back write in the first tier; kTooLarge when it does not fit there.
  Status SetBack(const Key& key, const Bytes& value, const WriteOptions& write);
  // Takes the pending write of `digest` if it is the one that stored `value`.
  std::optional<PendingWrite> TakePending(const Digest& digest, const uint8_t* value);
  void OnDepartures(std::vector<Departure> departures);
  // Writes `pending`'s value down into every tier below the first whose TTL for it has not run out.
  void Demote(const PendingWrite& pending, const Hit& hit, std::string_view why);
  void WriteDownPending();
  std::optional<Hit> FindLeaving(const Key& key);
  void ForgetLeaving(const Digest& digest, uint64_t id);
  // Drops what write-back knows of `key` (nullptr: of every key), as a delete or clear does.
  void ForgetWriteBack(const Key* key);
  // Whether write-back holds a write of `digest` not yet written down: pending, or being written down.
  bool UnwrittenLocked(const Digest& digest) const;

  EventHub events_;  // before the tiers: their stores report to it until they are destroyed
  std::vector<std::unique_ptr<Tier>> tiers_;
  size_t inline_prefix_ = 0;  // how many leading tiers complete inline
  size_t writable_count_ = 0;  // how many tiers are not read-only (see Store::read_only)
  std::optional<TtlResolver> ttls_;  // set once the tiers are known
  const std::shared_ptr<const Clock> clock_;
  SingleFlight flights_;
  // A flush waiting for the background writes with ids below `before` (to tier `tier`, when set).
  struct FlushWaiter {
    uint64_t before;
    std::optional<size_t> tier;
    Done done;
  };
  // With background_mu_ held: whether `waiter` has nothing left to wait for.
  bool FlushedLocked(const FlushWaiter& waiter) const;

  std::mutex background_mu_;
  uint64_t next_background_ = 0;
  std::map<uint64_t, size_t> background_;  // the background writes in flight: id -> tier
  std::vector<FlushWaiter> flush_waiters_;
  std::shared_ptr<ChangeCounters> changes_ = std::make_shared<ChangeCounters>();
  // Bumped by ForgetAbove, per stripe of digests: a read below the inline tiers that saw one move while it was
  // on its way does not promote what it found.
  ChangeCounters forgets_;

  // The latest Set in flight to the slower tiers, per key: a concurrent Set of the same bytes with the same
  // options joins it (answered with its outcome) instead of writing again.
  struct WriteInFlight {
    std::string key;
    Bytes value;
    WriteOptions write;
    std::vector<Done> joined;

    bool Same(const Key& other_key, const Bytes& other_value, const WriteOptions& other_write) const;
  };
  // Registers `write` as `key`'s latest; false (with `done` kept to be answered) when it joined an identical one.
  bool StartOrJoin(const Key& key, const std::shared_ptr<WriteInFlight>& write, Done& done);
  // Forgets `write` if it is still `key`'s latest, and hands over the callers that joined it.
  std::vector<Done> Finish(const Key& key, const std::shared_ptr<WriteInFlight>& write);
  // The calls waiting on a remote tier: id -> what ends one with kClosed (see EndableCall).
  std::mutex remote_calls_mu_;
  uint64_t next_remote_call_ = 0;
  std::unordered_map<uint64_t, std::function<void()>> remote_calls_;

  std::mutex writes_mu_;
  std::unordered_map<Digest, std::shared_ptr<WriteInFlight>, DigestHash> writes_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};

  bool write_back_ = false;
  // Held from taking a pending write to sending its demotion: departures published by different threads must not
  // send an older value of a key after a newer one (stores apply one key's writes in the order sent).
  std::mutex demote_mu_;
  std::mutex write_back_mu_;
  std::unordered_map<Digest, PendingWrite, DigestHash> pending_;
  std::unordered_map<Digest, Leaving, DigestHash> leaving_;
  uint64_t next_leaving_ = 0;
  uint64_t next_pending_ = 0;
};

}  // namespace stratacache
