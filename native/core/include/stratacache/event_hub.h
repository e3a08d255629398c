// What a cache tells its listeners about (today: a tier's failure that the chain absorbed). One chain may be
// shared by several handles (worker threads of a process), so each handle subscribes on its own and events
// reach every subscriber. Listeners run on whichever thread the event happened on and must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "stratacache/status.h"

namespace stratacache {

struct CacheEvent {
  std::string type;  // "error"
  std::string tier;
  std::string key;  // empty when the event concerns no single key
  Status status;    // why, for "error"
};

using EventListener = std::function<void(const CacheEvent& event)>;

class EventHub {
 public:
  // Returns an id for Unsubscribe.
  uint64_t Subscribe(EventListener listener);
  // After it returns no new call of the listener starts; one already running may still finish.
  void Unsubscribe(uint64_t id);
  // Cheap to ask before building an event nobody would receive.
  bool has_listeners() const { return count_.load(std::memory_order_relaxed) > 0; }
  void Emit(const CacheEvent& event) const;

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, std::shared_ptr<const EventListener>>> listeners_;
  std::atomic<size_t> count_{0};
};

}  // namespace stratacache
