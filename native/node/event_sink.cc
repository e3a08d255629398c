#include "event_sink.h"

#include "values.h"

namespace stratacache::node {

std::shared_ptr<EventSink> EventSink::Attach(Napi::Env env, Napi::Function listener, EventHub& hub, EventKinds kinds) {
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

namespace {

Napi::Object ToJs(Napi::Env env, const CacheEvent& event) {
  Napi::Object js = Napi::Object::New(env);
  js.Set("type", std::string(EventKindName(event.kind)));
  js.Set("tier", event.tier);
  if (!event.key.empty()) js.Set("key", event.key);
  if (!event.ns.empty()) js.Set("namespace", event.ns);
  if (!event.reason.empty()) js.Set("reason", event.reason);
  if (!event.status.ok()) js.Set("error", ToError(env, event.status).Value());
  return js;
}

}  // namespace

void EventSink::Deliver(const CacheEvent& event) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  pending_.push_back(event);
  if (pending_.size() > 1) return;  // a call is on its way and will take this event too
  // The sink outlives every queued call: the thread-safe function's finalizer holds it.
  napi_status status = tsfn_.NonBlockingCall(this, [](Napi::Env env, Napi::Function listener, EventSink* sink) {
    std::vector<CacheEvent> batch;
    {
      std::lock_guard lock(sink->mu_);
      batch.swap(sink->pending_);
    }
    if (env == nullptr) return;
    try {
      for (const CacheEvent& event : batch) listener.Call({ToJs(env, event)});
    } catch (const Napi::Error&) {
      // The TypeScript emitter catches what listeners throw, so this is the environment shutting down (a thread
      // being terminated, the process exiting with events queued): nothing to deliver to.
    }
  });
  if (status != napi_ok) pending_.clear();
}

}  // namespace stratacache::node
