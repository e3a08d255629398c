// Delivers a tier chain's events to one JavaScript listener. Events happen on any thread (a store's, the
// JavaScript thread itself); each is copied into a batch that one call of a thread-safe function hands to the
// JavaScript thread (a busy loop evicting thousands of entries costs one wake-up, not thousands), which never
// keeps the event loop alive. One sink per cache handle, so that every worker thread sharing a
// chain hears its events on its own thread.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <vector>

#include "stratacache/event_hub.h"

namespace stratacache::node {

class EventSink {
 public:
  // Subscribes `listener` (called with { type, tier, key?, reason?, error? }) to the `kinds` of events of `hub`.
  static std::shared_ptr<EventSink> Attach(Napi::Env env, Napi::Function listener, EventHub& hub, EventKinds kinds);
  // Changes which kinds of events reach the listener (JavaScript listens to more or fewer types).
  void SetKinds(EventHub& hub, EventKinds kinds) { hub.SetKinds(subscription_, kinds); }

  // Stops delivery. `release` also frees the thread-safe function; pass false from a finalizer, where the
  // environment may already be tearing it down.
  void Detach(EventHub& hub, bool release);

 private:
  void Deliver(const CacheEvent& event);

  std::mutex mu_;
  bool closed_ = false;              // detached, or the environment finalized the thread-safe function
  std::vector<CacheEvent> pending_;  // events not yet handed over; non-empty while a call is queued
  Napi::ThreadSafeFunction tsfn_;
  uint64_t subscription_ = 0;
};

}  // namespace stratacache::node
