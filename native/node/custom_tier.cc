#include "custom_tier.h"

#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stratacache/custom_store.h"

namespace stratacache::node {

namespace {

using Call = CustomStore::Call;
using Method = CustomStore::Method;
using Reply = CustomStore::Reply;
using ReplyDone = CustomStore::ReplyDone;

Reply Closed() { return Reply{Status(StatusCode::kClosed, "the custom tier's JavaScript environment is gone")}; }

struct PendingCall {
  Method method;
  ReplyDone done;
};

// What a store's calls need of its driver. Shared, so that it outlives the store: calls queued for the
// JavaScript thread, and answers, may come after the store is gone.
struct DriverLink {
  const std::thread::id js_thread = std::this_thread::get_id();
  uint32_t channel = 0;
  std::mutex mu;
  bool open = true;  // false once the thread-safe function is finalized (store gone, or environment torn down)
  Napi::ThreadSafeFunction tsfn;
  Napi::ObjectReference driver;  // JavaScript thread only
  uint32_t next_request = 1;
  std::unordered_map<uint32_t, PendingCall> pending;

  bool OnJsThread() const { return std::this_thread::get_id() == js_thread; }

  std::optional<PendingCall> Take(uint32_t request) {
    std::lock_guard lock(mu);
    auto found = pending.find(request);
    if (found == pending.end()) return std::nullopt;
    PendingCall call = std::move(found->second);
    pending.erase(found);
    return call;
  }
};

// Every driver's link by channel id, for driverComplete. Process-wide, as the addon is loaded once per process
// and each worker's drivers answer through it.
std::mutex channels_mu;
uint32_t next_channel = 1;
std::unordered_map<uint32_t, std::weak_ptr<DriverLink>>& Channels() {
  static auto* channels = new std::unordered_map<uint32_t, std::weak_ptr<DriverLink>>();  // workers may outlive exit
  return *channels;
}

// Calls the driver; on the JavaScript thread.
void Invoke(Napi::Env env, const std::shared_ptr<DriverLink>& link, Call call, ReplyDone done) {
  uint32_t request = 0;
  {
    std::lock_guard lock(link->mu);
    if (link->open) {
      request = link->next_request++;
      link->pending.emplace(request, PendingCall{call.method, std::move(done)});
    }
  }
  if (request == 0) return done(Closed());
  try {
    Napi::HandleScope scope(env);
    std::vector<napi_value> args{Napi::Number::New(env, request)};
    if (call.method != Method::kClear) args.push_back(Napi::String::New(env, call.name));
    if (call.method == Method::kSet) {
      args.push_back(Napi::Buffer<uint8_t>::Copy(env, call.value.data(), call.value.size()));
      args.push_back(call.ttl_ms ? Napi::Number::New(env, static_cast<double>(*call.ttl_ms)) : env.Undefined());
    }
    Napi::Object driver = link->driver.Value();
    driver.Get(CustomMethodName(call.method)).As<Napi::Function>().Call(driver, args);
  } catch (const Napi::Error&) {
    // The driver never throws (ts/custom.ts): this is the environment shutting down.
    if (std::optional<PendingCall> pending = link->Take(request)) pending->done(Closed());
  }
}

struct Task {
  std::shared_ptr<DriverLink> link;
  Call call;
  ReplyDone done;
};

class NodeCustomStore final : public CustomStore {
 public:
  NodeCustomStore(Napi::Env env, Napi::Object driver, bool driver_has)
      : CustomStore(std::make_shared<SystemClock>(), driver_has), env_(env) {
    link_->driver = Napi::Persistent(driver);
    {
      std::lock_guard lock(channels_mu);
      link_->channel = next_channel++;
      Channels()[link_->channel] = link_;
    }
    // The finalizer owns a reference, so the link outlives the thread-safe function whatever ends first; it runs on
    // the JavaScript thread, where the driver's reference may be dropped.
    auto* owner = new std::shared_ptr<DriverLink>(link_);
    link_->tsfn = Napi::ThreadSafeFunction::New(
        env, Napi::Function(), "stratacache custom tier", 0, 1, owner, [](Napi::Env, std::shared_ptr<DriverLink>* owner) {
          std::unique_ptr<std::shared_ptr<DriverLink>> owned(owner);
          DriverLink& link = **owner;
          std::unordered_map<uint32_t, PendingCall> pending;
          {
            std::lock_guard lock(link.mu);
            link.open = false;
            pending.swap(link.pending);
          }
          {
            std::lock_guard lock(channels_mu);
            Channels().erase(link.channel);
          }
          link.driver.Reset();
          for (auto& [request, call] : pending) call.done(Closed());
        });
    link_->tsfn.Unref(env);
    driver.Get("attach").As<Napi::Function>().Call(driver, {Napi::Number::New(env, link_->channel)});
  }

  ~NodeCustomStore() override {
    std::lock_guard lock(link_->mu);
    if (link_->open) link_->tsfn.Release();
  }

 protected:
  void Send(Call call, ReplyDone done) override {
    if (link_->OnJsThread()) return Invoke(env_, link_, std::move(call), std::move(done));
    std::unique_lock lock(link_->mu);
    if (!link_->open) {
      lock.unlock();
      return done(Closed());
    }
    auto* task = new Task{link_, std::move(call), std::move(done)};
    const napi_status status = link_->tsfn.NonBlockingCall(task, [](Napi::Env env, Napi::Function, Task* task) {
      std::unique_ptr<Task> owned(task);
      if (env == nullptr) return owned->done(Closed());  // the environment is shutting down
      Invoke(env, owned->link, std::move(owned->call), std::move(owned->done));
    });
    if (status == napi_ok) return;
    std::unique_ptr<Task> owned(task);
    lock.unlock();
    owned->done(Closed());
  }

 private:
  Napi::Env env_;  // used on its JavaScript thread only
  const std::shared_ptr<DriverLink> link_ = std::make_shared<DriverLink>();
};

}  // namespace

std::unique_ptr<Store> MakeCustomStore(Napi::Env env, const Napi::Value& drivers, const TierConfig& tier,
                                       Status* status) {
  Napi::Value driver = drivers.IsObject() ? drivers.As<Napi::Object>().Get(tier.name) : env.Undefined();
  if (!driver.IsObject()) {
    *status = Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' has no driver");
    return nullptr;
  }
  auto has = tier.settings.find("has");
  return std::make_unique<NodeCustomStore>(env, driver.As<Napi::Object>(),
                                           has != tier.settings.end() && has->second == "true");
}

Napi::Value CompleteDriverCall(const Napi::CallbackInfo& info) {
  const auto channel = info[0].As<Napi::Number>().Uint32Value();
  const auto request = info[1].As<Napi::Number>().Uint32Value();
  std::shared_ptr<DriverLink> link;
  {
    std::lock_guard lock(channels_mu);
    auto found = Channels().find(channel);
    if (found != Channels().end()) link = found->second.lock();
  }
  std::optional<PendingCall> call = link ? link->Take(request) : std::nullopt;
  if (!call) return Napi::Value();  // the store is gone, or the environment it served
  const Napi::Value error = info[2];
  const Napi::Value result = info[3];
  Reply reply;
  if (!error.IsNull() && !error.IsUndefined()) {
    const Napi::Value message = error.IsObject() ? error.As<Napi::Object>().Get("message") : error;
    reply.status = Status(StatusCode::kUnavailable, message.ToString().Utf8Value());
  } else if (call->method == Method::kGet) {
    if (result.IsTypedArray()) {
      auto bytes = result.As<Napi::Uint8Array>();
      reply.value = Bytes::Copy(bytes.Data(), bytes.ByteLength());
    }
  } else {
    reply.found = result.ToBoolean().Value();
  }
  call->done(std::move(reply));
  return Napi::Value();
}

}  // namespace stratacache::node
