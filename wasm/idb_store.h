// The IndexedDB tier of the WebAssembly build. The core's side of it: this store keeps the index (key digest ->
// charge, expiry, recency), the budget and the eviction order, and leaves the bytes to a JavaScript driver
// (ts/idb/driver.ts) that runs batched IndexedDB transactions, over a DriverChannel; nothing blocks.
//
// An entry is one IndexedDB record (value and metadata); an IndexedDB index over the metadata fields rebuilds this
// index at open without reading values, and a write reads nothing first: what it replaces is charged as this
// index knows it.
//
// IndexedDB is the source of truth, because other tabs of the origin write the same database: a read goes to
// IndexedDB even when the index has no entry (another tab may have written it) and a record that is gone is a
// miss. Every write transaction also keeps a running total of the database's charged bytes
// (ts/idb/running-total.ts); when it comes back above the budget, the index is reloaded from the metadata index
// (which counts the total again) and the oldest entries are evicted.
//
// A namespace's limit (LimitNamespace) is this tab's: it bounds the namespace's bytes as this tab's index counts
// them. The metadata records name the namespace, so the count is rebuilt at open and at each reload of the index;
// between reloads it takes in another tab's entries only as this tab reads them.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "driver_channel.h"
#include "stratacache/clock.h"
#include "stratacache/store.h"

namespace stratacache::wasm {

class IdbStore final : public Store {
 public:
  // `driver` is a ts/idb/driver.ts IdbDriver over an open database. `settle_when_placed` (durability 'placed'):
  // a Put completes once its write is placed in a live transaction when that leaves at most kPlacedBytes placed
  // and not committed (else at its commit); a commit that fails after the Put completed is an "error" event.
  IdbStore(uint64_t limit_bytes, std::shared_ptr<const Clock> clock, emscripten::val driver,
           bool settle_when_placed);

  // Loads the index from the records' metadata index (no value is read).
  void Open(Done done) override;
  void Get(const Key& key, GetDone done) override;
  void Has(const Key& key, FoundDone done) override;
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) override;
  void Delete(const Key& key, FoundDone done) override;
  void Clear(Done done) override;
  void Sweep() override;
  StoreCounters Counters() const override;
  // From this tab's index, in digest order: entries other tabs wrote since the index was last loaded are missing.
  void ListEntries(const ListRequest& request, ListDone done) override;
  void ReportRemovalsTo(const EventHub* hub, std::string tier) override;
  Status LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) override;

  // What one entry is charged beyond its value: the key, stored in the record and in its metadata index entry, and
  // their overhead.
  static uint64_t Charge(size_t key_bytes, size_t value_bytes) { return value_bytes + 2 * key_bytes + 96; }

  // How many bytes of writes that completed before their commit may be waiting for it: what one failed
  // transaction (a full quota) takes down with it stays small, and so does the memory those writes hold.
  static constexpr uint64_t kPlacedBytes = 1 << 20;

 private:
  // A named namespace's entries in the index: their bytes and their own recency order, most recent first.
  struct Space {
    std::string name;
    uint64_t limit = UINT64_MAX;
    uint64_t bytes = 0;
    std::list<std::string> lru;
  };
  struct Entry {
    std::string key;
    uint64_t charge = 0;
    int64_t expires_at_ms = kNeverExpires;
    std::list<std::string>::iterator recency;  // position in lru_, most recent first
    Space* space = nullptr;                    // null for the default namespace
    std::list<std::string>::iterator space_recency;  // position in space->lru
  };
  using Answer = std::function<void(Status, emscripten::val)>;
  // A record to remove, with its charge when this tab's index knows it (else the driver reads the record first).
  struct Removal {
    std::string id;
    std::optional<uint64_t> charge;
  };

  // Sends `method(request, args...)` to the driver; `answer` runs when it completes.
  template <class... Args>
  void Send(const char* method, Answer answer, Args&&... args);
  // Writes `value` (and the deletes) in one transaction, over a record charged `replaces` (0: none known); on a
  // full quota, evicts and tries once more. `done` is empty for a retry whose Put already completed.
  void Write(const Key& key, Bytes value, int64_t expires_at_ms, uint64_t replaces, std::vector<Removal> deletes,
             bool retried, Done done);
  // Completes a Put with the write's outcome, or reports a failure after it completed.
  void Settle(Done& done, const Key& key, const Status& status) const;
  // The removals as the driver takes them: {id, charge}, with a null charge when this tab does not know it.
  static emscripten::val RemovalsToJs(const std::vector<Removal>& removals);
  // Removes records in one transaction.
  void SendDeletes(const std::vector<Removal>& removals, Answer answer);
  // The same in the background (evictions, expirations).
  void WriteDeletes(std::vector<Removal> removals);
  // Takes the oldest entries out of the index until `bytes` more fit in the budget, or, given `space`, the
  // namespace's oldest until they fit in its limit; returns them.
  std::vector<Removal> EvictFor(uint64_t bytes, Space* space = nullptr);
  // The same for every namespace over its limit, then for the budget.
  std::vector<Removal> EvictOverLimits();
  // Reloads the index when the database holds more than this tab knows of (other tabs wrote).
  void Reconcile(double database_total);
  void ForgetIndex();  // empties the index; namespaces keep their limits
  void LoadIndex(emscripten::val records);
  void Adopt(const std::string& id, const std::string& key, const std::string& ns, uint64_t charge,
             int64_t expires_at_ms);
  // The named namespace's Space (made on first use), or null for the default namespace.
  Space* SpaceNamed(const std::string& ns);
  static const std::string& NamespaceOf(const Entry& entry);  // "" for the default namespace
  void Touch(Entry& entry);
  // Takes the entry out of the index; its charge, or nothing when the index did not have it.
  std::optional<uint64_t> Erase(const std::string& id);
  // An "evict", "expire" or "error" event for `key`, when the hub wants that kind.
  void Report(EventKind kind, const std::string& key, const std::string& ns, std::string_view reason,
              const Status& status = Status::Ok()) const;

  const uint64_t limit_bytes_;
  const std::shared_ptr<const Clock> clock_;
  const bool settle_when_placed_;
  DriverChannel channel_;  // answers carry an Error-like object with a DOMException name, or null
  std::unordered_map<std::string, Entry> index_;  // by key digest (hex)
  std::list<std::string> lru_;
  std::unordered_map<std::string, Space> spaces_;  // by name; kept for the store's life, as their limits are
  uint64_t bytes_ = 0;
  uint64_t placed_bytes_ = 0;  // charges of the writes that settle when placed, until their commit is answered
  uint64_t evictions_ = 0;
  uint64_t expirations_ = 0;
  bool reloading_ = false;
  const EventHub* events_ = nullptr;
  std::string tier_name_;
};

}  // namespace stratacache::wasm
