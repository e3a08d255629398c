#include "promise_bridge.h"

#include <utility>

namespace stratacache::node {

namespace {

struct Task {
  std::shared_ptr<PendingPromise> pending;
  Settler settler;
};

void Hold(BridgeLink& link, Napi::Env env) {
  if (link.holds++ == 0) link.tsfn.Ref(env);
}

void Release(BridgeLink& link, Napi::Env env) {
  if (--link.holds == 0) link.tsfn.Unref(env);
}

}  // namespace

PendingPromise::PendingPromise(Napi::Env env, std::shared_ptr<BridgeLink> link)
    : env_(env), deferred_(Napi::Promise::Deferred::New(env)), link_(std::move(link)) {}

void PendingPromise::SettleHere(Napi::Env env, const Settler& settler) {
  try {
    Napi::HandleScope scope(env);
    settler(env, deferred_);
    if (holds_loop_) Release(*link_, env);
  } catch (const Napi::Error&) {
    // Only an environment being torn down refuses to settle a promise: nobody awaits it any more.
  }
}

void PendingPromise::Settle(Settler settler) {
  BridgeLink& link = *link_;
  if (link.OnJsThread()) {
    settled_inline_ = true;
    // Only this thread closes the link (the environment's teardown), so it cannot close while this runs.
    if (link.open) SettleHere(env_, settler);
    return;
  }
  std::lock_guard lock(link.mu);
  if (!link.open) return;
  auto* task = new Task{shared_from_this(), std::move(settler)};
  napi_status status = link.tsfn.NonBlockingCall(task, [](Napi::Env env, Napi::Function, Task* task) {
    std::unique_ptr<Task> owned(task);
    if (env == nullptr) return;  // the environment is shutting down
    owned->pending->SettleHere(env, owned->settler);
  });
  if (status != napi_ok) delete task;
}

void PendingPromise::Started() {
  if (settled_inline_) return;
  holds_loop_ = true;
  Hold(*link_, env_);
}

PromiseBridge::PromiseBridge(Napi::Env env) {
  // The finalizer owns a reference, so the link outlives the thread-safe function whatever ends first.
  auto* owner = new std::shared_ptr<BridgeLink>(link_);
  link_->tsfn = Napi::ThreadSafeFunction::New(
      env, Napi::Function(), "stratacache completion", 0, 1, owner, [](Napi::Env, std::shared_ptr<BridgeLink>* owner) {
        {
          std::lock_guard lock((*owner)->mu);
          (*owner)->open = false;
        }
        delete owner;
      });
  link_->tsfn.Unref(env);
}

}  // namespace stratacache::node
