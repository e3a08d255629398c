#include "stratacache/event_hub.h"

#include <algorithm>

namespace stratacache {

uint64_t EventHub::Subscribe(EventListener listener) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  listeners_.emplace_back(id, std::make_shared<const EventListener>(std::move(listener)));
  count_.store(listeners_.size(), std::memory_order_relaxed);
  return id;
}

void EventHub::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
  count_.store(listeners_.size(), std::memory_order_relaxed);
}

void EventHub::Emit(const CacheEvent& event) const {
  std::vector<std::shared_ptr<const EventListener>> listeners;
  {
    // Called outside the lock, so that a listener may subscribe or unsubscribe.
    std::lock_guard lock(mu_);
    for (const auto& entry : listeners_) listeners.push_back(entry.second);
  }
  for (const auto& listener : listeners) (*listener)(event);
}

}  // namespace stratacache
