// The custom() tier's rules, the same in both builds: entries kept by any asynchronous key-value store written in
// JavaScript (a Map, memcached through Keyv, ...), reached through a driver. The store sees each entry under the
// 32 hex digits of its key's digest (a name any store takes: memcached's keys are at most 250 bytes without
// spaces), holding a frame of the entry's expiry, its key and its value, so that expiry is exact to the
// millisecond whatever the store's own TTL granularity (memcached: seconds), promotions carry the remaining TTL,
// and a digest collision is a miss, never another key's value. A set also hands the store the TTL, for it to
// drop the entry itself.
//
// A call the driver fails (its function threw, rejected, or did not settle within the tier's timeout) is
// kUnavailable: a read is then an error event and a miss, a set an error event that passes the tier over (see
// TierChain). Builds only carry the calls, by implementing Send: Node-API in the Node build, Embind in the
// WebAssembly build.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "stratacache/clock.h"
#include "stratacache/store.h"

namespace stratacache {

class CustomStore : public Store {
 public:
  enum class Method { kGet, kSet, kDelete, kHas, kClear };
  // One call of the driver: `name` is the entry's name (empty for clear); `value` and `ttl_ms` (nullopt: never
  // expires) only for set.
  struct Call {
    Method method;
    std::string name;
    Bytes value{};
    std::optional<int64_t> ttl_ms{};
  };
  // What the driver answered: `value` for get (nullopt: a miss), `found` for delete and has.
  struct Reply {
    Status status;
    std::optional<Bytes> value{};
    bool found = false;
  };
  using ReplyDone = std::function<void(Reply)>;

  // `driver_has`: the driver has a has() of its own, which then answers Has (by the store's own expiry); else Has
  // reads the entry.
  CustomStore(std::shared_ptr<const Clock> clock, bool driver_has) : clock_(std::move(clock)), driver_has_(driver_has) {}

  void Get(const Key& key, GetDone done) final;
  // What the driver's answer to a get of `key` means at `now_ms`: a failure, a miss, or the entry's hit. Also for
  // a read the build makes itself, outside the store (see TierChain::BeginOutsideRead).
  static std::pair<Status, std::optional<Hit>> ReadAnswer(const Key& key, Reply reply, int64_t now_ms);
  void Has(const Key& key, FoundDone done) final;
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) final;
  void Delete(const Key& key, FoundDone done) final;
  void Clear(Done done) final;
  // The store expires and counts its entries itself, out of sight.
  void Sweep() final {}
  StoreCounters Counters() const final { return {}; }

 protected:
  // Hands `call` to the driver; `done` runs exactly once, on any thread, and may run after the store is gone, so
  // it must not need the store.
  virtual void Send(Call call, ReplyDone done) = 0;

 private:
  const std::shared_ptr<const Clock> clock_;
  const bool driver_has_;
};

// The driver's name for a method ("get", "set", "delete", "has", "clear").
const char* CustomMethodName(CustomStore::Method method);

// The bytes a custom store keeps for an entry, and back: nullopt for bytes that are not `key`'s entry (another
// key's, or not a frame at all).
Bytes EncodeCustomEntry(const Key& key, const Bytes& value, int64_t expires_at_ms);
std::optional<Hit> DecodeCustomEntry(const Key& key, const Bytes& frame);

}  // namespace stratacache
