#include "event_sink.h"

#include "values.h"

namespace stratacache::node {

std::shared_ptr<EventSink> EventSink::Attach(Napi::Env env, Napi::Function listener, EventHub& hub,
                                             EventKinds kinds) {
  auto sink = std::make_shared<EventSink>();
  // The finalizer owns a reference, so the sink outlives the thread-safe function whatever ends it first.
  auto* owner = new std::shared_ptr<EventSink>(sink);
  sink->tsfn_ = Napi::ThreadSafeFunction::New(
      env, listener, "stratacache events", 0, 1, owner, [](Napi::Env, std::shared_ptr<EventSink>* owner) {
        {
          std::lock_guard lock((*owner)->mu_);
          (*owner)->closed_ = true;
        }
        delete owner;
      });
  sink->tsfn_.Unref(env);
  sink->subscription_ = hub.Subscribe(
      [weak = std::weak_ptr<EventSink>(sink)](const CacheEvent& event) {
        if (auto sink = weak.lock()) sink->Deliver(event);
      },
      kinds);
  return sink;
}

void EventSink::Detach(EventHub& hub, bool release) {
  hub.Unsubscribe(subscription_);
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (release) tsfn_.Release();
}

void EventSink::Deliver(const CacheEvent& event) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  auto* copy = new CacheEvent(event);
  napi_status status = tsfn_.NonBlockingCall(copy, [](Napi::Env env, Napi::Function listener, CacheEvent* event) {
    std::unique_ptr<CacheEvent> owned(event);
    if (env == nullptr) return;
    Napi::Object js = Napi::Object::New(env);
    js.Set("type", std::string(EventKindName(event->kind)));
    js.Set("tier", event->tier);
    if (!event->key.empty()) js.Set("key", event->key);
    if (!event->reason.empty()) js.Set("reason", event->reason);
    if (!event->status.ok()) js.Set("error", ToError(env, event->status).Value());
    try {
      listener.Call({js});
    } catch (const Napi::Error&) {
      // The TypeScript emitter catches what listeners throw, so this is a thread being terminated: nothing to do.
    }
  });
  if (status != napi_ok) delete copy;
}

}  // namespace stratacache::node
