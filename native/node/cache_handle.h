// What the cache functions share (native_cache.cc, cache_entries.cc, cache_flights.cc, cache_directories.cc):
// the open cache a handle holds, reading a call's handle, key and value, answering a read from the slab, and the
// completions that settle promises.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "event_sink.h"
#include "promise_bridge.h"
#include "stratacache/tier_chain.h"
#include "values.h"

namespace stratacache::node {

// One open cache handle. `chain` is null once closed; a shared chain lives on while other handles hold it.
struct NativeCache {
  ~NativeCache() { StopEvents(/*release=*/false); }

  void StopEvents(bool release) {
    if (events) events->Detach(chain->events(), release);
    events.reset();
  }

  std::shared_ptr<TierChain> chain;
  std::shared_ptr<EventSink> events;  // set once JavaScript listens
  std::string ns;  // the namespace of the keys this handle reads and writes; empty: the default one
  // Whether closing this handle closes the chain: the handle Cache.open made, unless the chain is shared (other
  // caches may still be using it). Namespace views are not.
  bool closes_chain = false;

  // Small hits are copied into a slab and returned as views of it: a view costs a fraction of a new
  // native-backed Buffer. A new slab is started when a value does not fit. Each handle has its own, so the
  // JavaScript that holds the handle is always the one that saw the slab change.
  Napi::Reference<Napi::Uint8Array> slab;
  uint8_t* slab_data = nullptr;
  size_t slab_size = 0;
  size_t slab_cursor = 0;
};

inline NativeCache* HandleOf(const Napi::CallbackInfo& info) {
  return info[0].As<Napi::External<NativeCache>>().Data();
}

// The open chain of the handle in info[0], or nullptr after throwing ERR_CLOSED.
inline TierChain* OpenChain(const Napi::CallbackInfo& info) {
  TierChain* chain = HandleOf(info)->chain.get();
  if (!chain) ThrowStatus(info.Env(), Status(StatusCode::kClosed, "the cache is closed"));
  return chain;
}

// The arguments of a call on one key: (handle, key).
struct KeyedCall {
  NativeCache* cache;
  TierChain* chain;
  Key key;
};

inline std::optional<KeyedCall> ReadKeyedCall(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return std::nullopt;
  NativeCache* cache = HandleOf(info);
  std::optional<Key> key = ReadKey(info[1], cache->ns);
  if (!key) return std::nullopt;
  return KeyedCall{cache, chain, std::move(*key)};
}

// (handle, key, value, ttl, tags, ...).
struct WriteCall {
  TierChain* chain;
  Key key;
  Bytes value;
  WriteOptions write;
};

std::optional<WriteCall> ReadWriteCall(const Napi::CallbackInfo& info);

// How a read answers synchronously: -1 for a miss; a small value copied into the handle's slab, as a slab
// reply (see cache_handle.cc); otherwise a Buffer lent from the core without a copy.
Napi::Value Reply(Napi::Env env, NativeCache* cache, const std::optional<Hit>& hit);

// A hit that settles a promise: small values are copied into a new Buffer, which costs less than lending
// (a Buffer with a finalizer and a weak reference to find it again); larger ones are lent.
Napi::Value SettledBuffer(Napi::Env env, const Bytes& value);

// Completion for operations that answer with nothing but success or failure.
Done SettleDone(std::shared_ptr<PendingPromise> pending);

// Completion for operations that answer "was it there?".
FoundDone SettleFound(std::shared_ptr<PendingPromise> pending);

// The External that JavaScript holds for `cache`.
Napi::Value Wrap(Napi::Env env, std::unique_ptr<NativeCache> cache);

using CacheFunction = Napi::Value (*)(const Napi::CallbackInfo&);

// Adds each function to `exports` under its name.
void DefineFunctions(Napi::Env env, Napi::Object exports,
                     std::initializer_list<std::pair<const char*, CacheFunction>> functions);

}  // namespace stratacache::node
