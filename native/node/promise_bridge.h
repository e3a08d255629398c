// Settles JavaScript promises from core completions. A completion that runs on the JavaScript thread while the
// call that started it is still on the stack (an inline store) settles at once; one that runs on a store's
// thread is handed to the JavaScript thread through a thread-safe function. While any operation is in flight the
// bridge keeps the event loop alive; when none is, it lets the process exit.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <thread>

namespace stratacache::node {

class PromiseBridge;

// Resolves or rejects the promise; runs on the JavaScript thread.
using Settler = std::function<void(Napi::Env env, Napi::Promise::Deferred& deferred)>;

// One promise awaiting one core operation.
class PendingPromise : public std::enable_shared_from_this<PendingPromise> {
 public:
  PendingPromise(Napi::Env env, PromiseBridge* bridge);

  Napi::Promise promise() const { return deferred_.Promise(); }
  // Called by the core's completion, on any thread, exactly once.
  void Settle(Settler settler);
  // Called on the JavaScript thread once the operation has been started.
  void Started();

 private:
  friend class PromiseBridge;

  Napi::Env env_;
  Napi::Promise::Deferred deferred_;
  PromiseBridge* bridge_;
  bool settled_inline_ = false;  // written and read on the JavaScript thread only
  bool holds_loop_ = false;      // likewise
};

class PromiseBridge {
 public:
  explicit PromiseBridge(Napi::Env env);

  // A promise for an operation about to start. Pass the result to the core's completion, then call Started().
  std::shared_ptr<PendingPromise> Begin(Napi::Env env) { return std::make_shared<PendingPromise>(env, this); }

 private:
  friend class PendingPromise;
  struct Task;

  bool OnJsThread() const { return std::this_thread::get_id() == js_thread_; }
  void Post(std::shared_ptr<PendingPromise> pending, Settler settler);
  void Hold(Napi::Env env);
  void Release(Napi::Env env);

  const std::thread::id js_thread_;
  // Not released by the bridge: the bridge dies with its environment, which closes its thread-safe functions
  // itself and may already have freed this one by then (releasing it again aborts the process).
  Napi::ThreadSafeFunction tsfn_;
  size_t holds_ = 0;  // operations in flight that keep the loop alive
};

}  // namespace stratacache::node
