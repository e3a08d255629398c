// What a cache tells its listeners about: a tier's failure that the chain absorbed ("error"), an entry a tier
// evicted or expired by itself, a hit copied up into a tier ("promote"), an entry written back down into a tier
// when it left the hot tier of a write-back cache, or was flushed ("demote"). One chain may be shared by several
// handles (worker threads of a process), so each handle subscribes on its own, to the kinds it listens to, and
// events reach every subscriber of their kind. Listeners run on whichever thread the event happened on, never
// under a store's lock, and must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stratacache/status.h"

namespace stratacache {

// Bits, so that a subscriber names the kinds it wants in one mask.
enum class EventKind : uint32_t { kError = 1, kEvict = 2, kExpire = 4, kPromote = 8, kDemote = 16 };
using EventKinds = uint32_t;
inline constexpr EventKinds kAllEventKinds = 31;

// "error", "evict", "expire", "promote", "demote": the names the JavaScript API uses.
std::string_view EventKindName(EventKind kind);
std::optional<EventKind> ParseEventKind(std::string_view name);

struct CacheEvent {
  EventKind kind;
  std::string tier;
  std::string key;  // empty when the event concerns no single key
  // evict: the policy that chose the entry; expire: "read", "sweep" or "budget" (dropped to make room);
  // promote: the tier the hit came from; demote: "evict", "expire" or "flush", why it left the hot tier.
  std::string reason;
  Status status;  // why, for an error
  // The key's namespace (key.h), empty for the default one. RAM and IndexedDB tiers, the chain and disk tiers'
  // namespace evictions report it; other disk events do not yet.
  std::string ns{};
};

using EventListener = std::function<void(const CacheEvent& event)>;

class EventHub {
 public:
  // Returns an id for SetKinds and Unsubscribe.
  uint64_t Subscribe(EventListener listener, EventKinds kinds = kAllEventKinds);
  void SetKinds(uint64_t id, EventKinds kinds);
  // After it returns no new call of the listener starts; one already running may still finish.
  void Unsubscribe(uint64_t id);
  // Cheap to ask before building an event nobody would receive (before copying a key, say).
  bool wants(EventKind kind) const {
    return (wanted_.load(std::memory_order_relaxed) & static_cast<EventKinds>(kind)) != 0;
  }
  void Emit(const CacheEvent& event) const;

 private:
  struct Subscriber {
    uint64_t id;
    EventKinds kinds;
    std::shared_ptr<const EventListener> listener;
  };
  // With mu_ held: the union of the subscribers' kinds.
  void UpdateWantedLocked();

  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::vector<Subscriber> subscribers_;
  std::atomic<EventKinds> wanted_{0};
};

}  // namespace stratacache
