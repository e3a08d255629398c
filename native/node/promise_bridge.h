// Settles JavaScript promises from core completions. A completion that runs on the JavaScript thread while the
// call that started it is still on the stack (an inline store) settles at once; one that runs on a store's
// thread is handed to the JavaScript thread through a thread-safe function. While any operation is in flight the
// bridge keeps the event loop alive; when none is, it lets the process exit.
//
// A completion may arrive after its environment is gone (a worker thread terminated with disk reads in flight, a
// process exiting): it is then dropped, and nothing it does may throw across into Node.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace stratacache::node {

// Resolves or rejects the promise; runs on the JavaScript thread.
using Settler = std::function<void(Napi::Env env, Napi::Promise::Deferred& deferred)>;

// What completions on any thread need of their environment's bridge. Shared, so that it outlives the bridge: a
// completion may hold it after the environment, and the bridge with it, is freed.
struct BridgeLink {
  const std::thread::id js_thread = std::this_thread::get_id();
  std::mutex mu;
  bool open = true;  // false once the environment finalized the thread-safe function
  // Not released by the bridge: the environment closes its thread-safe functions itself when it is torn down.
  Napi::ThreadSafeFunction tsfn;
  size_t holds = 0;  // operations in flight that keep the loop alive; JavaScript thread only

  bool OnJsThread() const { return std::this_thread::get_id() == js_thread; }
};

// One promise awaiting one core operation.
class PendingPromise : public std::enable_shared_from_this<PendingPromise> {
 public:
  PendingPromise(Napi::Env env, std::shared_ptr<BridgeLink> link);

  Napi::Promise promise() const { return deferred_.Promise(); }
  // Called by the core's completion, on any thread, exactly once.
  void Settle(Settler settler);
  // Called on the JavaScript thread once the operation has been started.
  void Started();

 private:
  friend class PromiseBridge;

  // Runs `settler` on the JavaScript thread, then stops holding the loop for this promise.
  void SettleHere(Napi::Env env, const Settler& settler);

  Napi::Env env_;
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<BridgeLink> link_;
  bool settled_inline_ = false;  // written and read on the JavaScript thread only
  bool holds_loop_ = false;      // likewise
};

class PromiseBridge {
 public:
  explicit PromiseBridge(Napi::Env env);

  // A promise for an operation about to start. Pass the result to the core's completion, then call Started().
  std::shared_ptr<PendingPromise> Begin(Napi::Env env) { return std::make_shared<PendingPromise>(env, link_); }

 private:
  std::shared_ptr<BridgeLink> link_ = std::make_shared<BridgeLink>();
};

}  // namespace stratacache::node
