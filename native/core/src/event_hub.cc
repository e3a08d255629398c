#include "stratacache/event_hub.h"

#include <algorithm>

namespace stratacache {

namespace {

constexpr std::pair<EventKind, std::string_view> kNames[] = {
    {EventKind::kError, "error"},
    {EventKind::kEvict, "evict"},
    {EventKind::kExpire, "expire"},
    {EventKind::kPromote, "promote"},
    {EventKind::kDemote, "demote"},
};

}  // namespace

std::string_view EventKindName(EventKind kind) {
  for (const auto& [known, name] : kNames) {
    if (known == kind) return name;
  }
  return "unknown";
}

std::optional<EventKind> ParseEventKind(std::string_view name) {
  for (const auto& [kind, known] : kNames) {
    if (known == name) return kind;
  }
  return std::nullopt;
}

uint64_t EventHub::Subscribe(EventListener listener, EventKinds kinds) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  subscribers_.push_back(Subscriber{id, kinds, std::make_shared<const EventListener>(std::move(listener))});
  UpdateWantedLocked();
  return id;
}

void EventHub::SetKinds(uint64_t id, EventKinds kinds) {
  std::lock_guard lock(mu_);
  for (Subscriber& subscriber : subscribers_) {
    if (subscriber.id == id) subscriber.kinds = kinds;
  }
  UpdateWantedLocked();
}

void EventHub::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [id](const Subscriber& subscriber) { return subscriber.id == id; });
  UpdateWantedLocked();
}

void EventHub::UpdateWantedLocked() {
  EventKinds wanted = 0;
  for (const Subscriber& subscriber : subscribers_) wanted |= subscriber.kinds;
  wanted_.store(wanted, std::memory_order_relaxed);
}

void EventHub::Emit(const CacheEvent& event) const {
  std::vector<std::shared_ptr<const EventListener>> listeners;
  {
    // Called outside the lock, so that a listener may subscribe or unsubscribe.
    std::lock_guard lock(mu_);
    for (const Subscriber& subscriber : subscribers_) {
      if (subscriber.kinds & static_cast<EventKinds>(event.kind)) listeners.push_back(subscriber.listener);
    }
  }
  for (const auto& listener : listeners) (*listener)(event);
}

}  // namespace stratacache
