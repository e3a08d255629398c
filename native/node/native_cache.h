// The JavaScript face of one cache: a thin ObjectWrap over a core tier chain. Validation of options happens in
// TypeScript; this layer converts values, starts core operations and settles their promises.
#pragma once

#include <napi.h>

#include <memory>
#include <optional>

#include "stratacache/tier_chain.h"

namespace stratacache::node {

class PromiseBridge;

class NativeCache : public Napi::ObjectWrap<NativeCache> {
 public:
  static Napi::Function Define(Napi::Env env);

  // new NativeCache(config, bridge-owning addon data is found through the environment)
  explicit NativeCache(const Napi::CallbackInfo& info);

 private:
  Napi::Value GetSync(const Napi::CallbackInfo& info);
  Napi::Value Get(const Napi::CallbackInfo& info);
  Napi::Value SetSync(const Napi::CallbackInfo& info);
  Napi::Value Set(const Napi::CallbackInfo& info);
  Napi::Value HasSync(const Napi::CallbackInfo& info);
  Napi::Value Has(const Napi::CallbackInfo& info);
  Napi::Value DeleteSync(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value Clear(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Sweep(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  // The arguments of a call on one key, read after checking that the cache is open.
  struct KeyedCall {
    TierChain* chain;
    Key key;
  };
  struct WriteCall {
    TierChain* chain;
    Key key;
    Bytes value;
    Ttl ttl;
  };

  // The chain, or nullptr after throwing ERR_CLOSED.
  TierChain* Open(Napi::Env env);
  // (key) and (key, value, ttl) from the call's arguments, or nullopt after throwing.
  std::optional<KeyedCall> ReadKeyedCall(const Napi::CallbackInfo& info);
  std::optional<WriteCall> ReadWriteCall(const Napi::CallbackInfo& info);
  // Runs `start(pending)` to begin a core operation that settles `pending`, and returns its promise.
  template <class Start>
  Napi::Value Async(Napi::Env env, Start start);

  std::shared_ptr<TierChain> chain_;
  PromiseBridge* bridge_;
};

}  // namespace stratacache::node
