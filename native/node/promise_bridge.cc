#include "promise_bridge.h"

#include <utility>

namespace stratacache::node {

struct PromiseBridge::Task {
  std::shared_ptr<PendingPromise> pending;
  Settler settler;
};

PendingPromise::PendingPromise(Napi::Env env, PromiseBridge* bridge)
    : env_(env), deferred_(Napi::Promise::Deferred::New(env)), bridge_(bridge) {}

void PendingPromise::Settle(Settler settler) {
  if (bridge_->OnJsThread()) {
    settled_inline_ = true;
    Napi::HandleScope scope(env_);
    settler(env_, deferred_);
    // Settled on this thread after it started (a flight that a caller on this thread ended): stop holding the loop.
    if (holds_loop_) bridge_->Release(env_);
    return;
  }
  bridge_->Post(shared_from_this(), std::move(settler));
}

void PendingPromise::Started() {
  if (settled_inline_) return;
  holds_loop_ = true;
  bridge_->Hold(env_);
}

PromiseBridge::PromiseBridge(Napi::Env env) : js_thread_(std::this_thread::get_id()) {
  tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function(), "stratacache completion", 0, 1);
  tsfn_.Unref(env);
}

void PromiseBridge::Post(std::shared_ptr<PendingPromise> pending, Settler settler) {
  auto* task = new Task{std::move(pending), std::move(settler)};
  napi_status status = tsfn_.NonBlockingCall(task, [](Napi::Env env, Napi::Function, Task* task) {
    std::unique_ptr<Task> owned(task);
    if (env == nullptr) return;  // the environment is shutting down; nobody awaits the promise any more
    owned->settler(env, owned->pending->deferred_);
    if (owned->pending->holds_loop_) owned->pending->bridge_->Release(env);
  });
  if (status != napi_ok) delete task;
}

void PromiseBridge::Hold(Napi::Env env) {
  if (holds_++ == 0) tsfn_.Ref(env);
}

void PromiseBridge::Release(Napi::Env env) {
  if (--holds_ == 0) tsfn_.Unref(env);
}

}  // namespace stratacache::node
