#include "native_cache.h"

#include <utility>

#include "addon_data.h"
#include "cache_registry.h"
#include "promise_bridge.h"
#include "stratacache/cache_config.h"
#include "values.h"

namespace stratacache::node {

namespace {

std::optional<CacheConfig> ReadConfig(const Napi::Object& options) {
  CacheConfig config;
  std::optional<Ttl> ttl = ReadTtl(options.Get("ttl"));
  if (!ttl) return std::nullopt;
  config.ttl = *ttl;
  Napi::Array tiers = options.Get("tiers").As<Napi::Array>();
  for (uint32_t i = 0; i < tiers.Length(); ++i) {
    Napi::Object tier = tiers.Get(i).As<Napi::Object>();
    TierConfig tier_config;
    tier_config.kind = tier.Get("kind").As<Napi::String>().Utf8Value();
    tier_config.name = tier.Get("name").As<Napi::String>().Utf8Value();
    tier_config.limit_bytes = static_cast<uint64_t>(tier.Get("cacheLimit").As<Napi::Number>().DoubleValue());
    std::optional<Ttl> tier_ttl = ReadTtl(tier.Get("ttl"));
    if (!tier_ttl) return std::nullopt;
    tier_config.ttl = *tier_ttl;
    config.tiers.push_back(std::move(tier_config));
  }
  return config;
}

Napi::Object ToJs(Napi::Env env, const ChainStats& stats) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("hits", static_cast<double>(stats.hits));
  result.Set("misses", static_cast<double>(stats.misses));
  Napi::Array tiers = Napi::Array::New(env, stats.tiers.size());
  for (size_t i = 0; i < stats.tiers.size(); ++i) {
    const TierStats& tier = stats.tiers[i];
    Napi::Object t = Napi::Object::New(env);
    t.Set("name", tier.name);
    VisitCounters(tier, [&](const char* name, uint64_t value) { t.Set(name, static_cast<double>(value)); });
    tiers.Set(static_cast<uint32_t>(i), t);
  }
  result.Set("tiers", tiers);
  return result;
}

// Completion for operations that answer with nothing but success or failure.
Done SettleDone(std::shared_ptr<PendingPromise> pending) {
  return [pending](Status status) {
    pending->Settle([status](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
      deferred.Resolve(env.Undefined());
    });
  };
}

// Completion for operations that answer "was it there?".
FoundDone SettleFound(std::shared_ptr<PendingPromise> pending) {
  return [pending](Status status, bool found) {
    pending->Settle([status, found](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
      deferred.Resolve(Napi::Boolean::New(env, found));
    });
  };
}

}  // namespace

Napi::Function NativeCache::Define(Napi::Env env) {
  return DefineClass(env, "NativeCache",
                     {
                         InstanceMethod<&NativeCache::GetSync>("getSync"),
                         InstanceMethod<&NativeCache::Get>("get"),
                         InstanceMethod<&NativeCache::SetSync>("setSync"),
                         InstanceMethod<&NativeCache::Set>("set"),
                         InstanceMethod<&NativeCache::HasSync>("hasSync"),
                         InstanceMethod<&NativeCache::Has>("has"),
                         InstanceMethod<&NativeCache::DeleteSync>("deleteSync"),
                         InstanceMethod<&NativeCache::Delete>("delete"),
                         InstanceMethod<&NativeCache::Clear>("clear"),
                         InstanceMethod<&NativeCache::Stats>("stats"),
                         InstanceMethod<&NativeCache::Sweep>("sweep"),
                         InstanceMethod<&NativeCache::Close>("close"),
                     });
}

// new NativeCache({ tiers, ttl, shared?, fingerprint? })
NativeCache::NativeCache(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<NativeCache>(info), bridge_(&info.Env().GetInstanceData<AddonData>()->bridge) {
  Napi::Env env = info.Env();
  Napi::Object options = info[0].As<Napi::Object>();
  std::optional<CacheConfig> config = ReadConfig(options);
  if (!config) return;
  ChainBuilder build = [&](std::shared_ptr<TierChain>* chain) {
    return BuildTierChain(*config, std::make_shared<SystemClock>(), nullptr, nullptr, chain);
  };
  Napi::Value shared = options.Get("shared");
  Status status = shared.IsString()
                      ? AcquireSharedChain(shared.As<Napi::String>().Utf8Value(),
                                           options.Get("fingerprint").As<Napi::String>().Utf8Value(), build, &chain_)
                      : build(&chain_);
  if (!status.ok()) ThrowStatus(env, status);
}

TierChain* NativeCache::Open(Napi::Env env) {
  if (!chain_) ThrowStatus(env, Status(StatusCode::kClosed, "the cache is closed"));
  return chain_.get();
}

std::optional<NativeCache::KeyedCall> NativeCache::ReadKeyedCall(const Napi::CallbackInfo& info) {
  TierChain* chain = Open(info.Env());
  if (!chain) return std::nullopt;
  std::optional<Key> key = ReadKey(info[0]);
  if (!key) return std::nullopt;
  return KeyedCall{chain, std::move(*key)};
}

std::optional<NativeCache::WriteCall> NativeCache::ReadWriteCall(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return std::nullopt;
  std::optional<Bytes> value = ReadValue(info[1]);
  if (!value) return std::nullopt;
  std::optional<Ttl> ttl = ReadTtl(info[2]);
  if (!ttl) return std::nullopt;
  return WriteCall{call->chain, std::move(call->key), std::move(*value), *ttl};
}

template <class Start>
Napi::Value NativeCache::Async(Napi::Env env, Start start) {
  auto pending = bridge_->Begin(env);
  start(pending);
  pending->Started();
  return pending->promise();
}

Napi::Value NativeCache::GetSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  std::optional<Hit> hit = call->chain->GetNow(call->key);
  return hit ? ToBuffer(info.Env(), hit->value) : info.Env().Undefined();
}

Napi::Value NativeCache::Get(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->Get(call->key, [pending](Status status, std::optional<Hit> hit) {
      pending->Settle([status, hit = std::move(hit)](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(hit ? ToBuffer(env, hit->value) : env.Undefined());
      });
    });
  });
}

Napi::Value NativeCache::SetSync(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info);
  if (!call) return Napi::Value();
  Status status = call->chain->SetNow(call->key, std::move(call->value), call->ttl);
  if (!status.ok()) ThrowStatus(info.Env(), status);
  return Napi::Value();
}

Napi::Value NativeCache::Set(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info);
  if (!call) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->Set(call->key, std::move(call->value), call->ttl, SettleDone(pending));
  });
}

Napi::Value NativeCache::HasSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Napi::Boolean::New(info.Env(), call->chain->HasNow(call->key));
}

Napi::Value NativeCache::Has(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { call->chain->Has(call->key, SettleFound(pending)); });
}

Napi::Value NativeCache::DeleteSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Napi::Boolean::New(info.Env(), call->chain->DeleteNow(call->key));
}

Napi::Value NativeCache::Delete(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { call->chain->Delete(call->key, SettleFound(pending)); });
}

Napi::Value NativeCache::Clear(const Napi::CallbackInfo& info) {
  TierChain* chain = Open(info.Env());
  if (!chain) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { chain->Clear(SettleDone(pending)); });
}

Napi::Value NativeCache::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TierChain* chain = Open(env);
  if (!chain) return Napi::Value();
  return ToJs(env, chain->Stats());
}

Napi::Value NativeCache::Sweep(const Napi::CallbackInfo& info) {
  if (TierChain* chain = Open(info.Env())) chain->Sweep();
  return Napi::Value();
}

Napi::Value NativeCache::Close(const Napi::CallbackInfo& info) {
  chain_.reset();  // a shared chain lives on while other handles hold it
  return info.Env().Undefined();
}

}  // namespace stratacache::node
