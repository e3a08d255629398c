// The cache functions on single entries: get, set, has and delete (each synchronous, or answering at once where
// every tier is inline and with a promise otherwise), content-addressed entries, digests, and the near cache's
// change counters and touches.
#include "native_cache.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "addon_data.h"
#include "cache_handle.h"
#include "stratacache/content.h"

namespace stratacache::node {

namespace {

// getSync(handle, key) -> reply (see Reply)
Napi::Value GetSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Reply(info.Env(), call->cache, call->chain->GetNow(call->key));
}

// What getSyncNear writes in place of a stripe for a hit JavaScript must not keep a copy of (see near-cache.ts).
constexpr double kNoCopy = -1;

// getSyncNear(handle, key, info) -> reply, as getSync; on a hit in a RAM tier, info (a Float64Array) receives what
// a JavaScript-side copy of the value needs: [stripe, its change counter read before the lookup, expires at (ms
// since the epoch, Infinity for never)]; on a hit in a slower tier, [-1]: keep no copy. Reading the counter first
// makes a change racing the lookup visible.
Napi::Value GetSyncNear(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  const size_t stripe = ChangeCounters::StripeOf(call->key.digest());
  const uint32_t version = call->chain->changes()->Read(stripe);
  size_t found_in = 0;
  std::optional<Hit> hit = call->chain->GetNow(call->key, &found_in);
  if (hit) {
    double* out = info[2].As<Napi::Float64Array>().Data();
    // Only the inline tiers move the change counters: a copy of a value from a slower tier (disk) could outlive
    // a change to it.
    if (found_in >= call->chain->inline_tiers()) {
      out[0] = kNoCopy;
      return Reply(info.Env(), call->cache, std::move(hit));
    }
    out[0] = static_cast<double>(stripe);
    out[1] = version;
    out[2] = ExpiryAsDouble(hit->expires_at_ms);
  }
  return Reply(info.Env(), call->cache, std::move(hit));
}

// changeCounters(handle) -> ArrayBuffer over the chain's change counters (ChangeCounters::kStripes words), read
// in place by JavaScript; it keeps the counters alive.
Napi::Value ChangeCountersOf(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  auto* owner = new std::shared_ptr<ChangeCounters>(chain->changes());
  return Napi::ArrayBuffer::New(
      info.Env(), const_cast<uint32_t*>((*owner)->words()), ChangeCounters::size_bytes(),
      [](Napi::Env, void*, std::shared_ptr<ChangeCounters>* counters) { delete counters; }, owner);
}

// touch(handle, keys): marks each key used in the RAM tiers (recency, frequency) for hits JavaScript served from
// its own copies and counts itself.
Napi::Value Touch(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  Napi::Array keys = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    if (std::optional<Key> key = ReadKey(keys.Get(i), HandleOf(info)->ns)) chain->TouchInline(*key);
  }
  return Napi::Value();
}

// Reads the call's key down the tiers: a reply when the tiers answered on this thread (TierChain::GetHere), or a
// promise of a Buffer or undefined when slower tiers must be read.
Napi::Value ReadThrough(const Napi::CallbackInfo& info, const KeyedCall& call) {
  std::optional<Hit> hit;
  size_t next = 0;
  if (call.chain->GetHere(call.key, &hit, &next)) return Reply(info.Env(), call.cache, std::move(hit));
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call.chain->GetFrom(next, call.key, [pending](Status status, std::optional<Hit> hit) {
      pending->Settle([status, hit = std::move(hit)](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(hit ? SettledBuffer(env, hit->value) : env.Undefined());
      });
    });
  });
}

// get(handle, key) -> see ReadThrough
Napi::Value Get(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  return call ? ReadThrough(info, *call) : Napi::Value();
}

// getEntry(handle, key) -> a promise of [value, expires at (ms since the epoch, Infinity for never)], or of
// undefined on a miss: a read down the tiers, as get, that also tells how long the value lives
Napi::Value GetEntry(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->Get(call->key, [pending](Status status, std::optional<Hit> hit) {
      pending->Settle([status, hit = std::move(hit)](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        if (!hit) return deferred.Resolve(env.Undefined());
        Napi::Array entry = Napi::Array::New(env, 2);
        entry.Set(0u, LendBuffer(env, hit->value));
        entry.Set(1u, Napi::Number::New(env, ExpiryAsDouble(hit->expires_at_ms)));
        deferred.Resolve(entry);
      });
    });
  });
}

// getContent(handle, digest) -> as get, for the content stored under `digest` (see content.h)
Napi::Value GetContent(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  const std::string digest = info[1].ToString().Utf8Value();
  if (Status status = CheckContentDigest(digest); !status.ok()) {
    ThrowStatus(info.Env(), status);
    return Napi::Value();
  }
  KeyedCall call{HandleOf(info), chain, ContentKey(digest)};
  return ReadThrough(info, call);
}

// putContent(handle, value, ttl, tags) -> a promise of the value's digest, once it is stored (see PutContent)
Napi::Value PutContent(const Napi::CallbackInfo& info) {
  if (!OpenChain(info)) return Napi::Value();
  std::optional<Bytes> value = ReadValue(info[1]);
  if (!value) return Napi::Value();
  std::optional<Ttl> ttl = ReadTtl(info[2]);
  if (!ttl) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    stratacache::PutContent(HandleOf(info)->chain, std::move(*value), WriteOptions{*ttl, ReadStringMap(info[3])},
                            [pending](Status status, std::string digest) {
                              pending->Settle([status, digest](Napi::Env env, Napi::Promise::Deferred& deferred) {
                                if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
                                deferred.Resolve(Napi::String::New(env, digest));
                              });
                            });
  });
}

// digest(value) -> the BLAKE3-256 hex digest of the bytes (a string as UTF-8)
Napi::Value Digest(const Napi::CallbackInfo& info) {
  std::optional<Bytes> value = ReadValue(info[0]);
  if (!value) return Napi::Value();
  return Napi::String::New(info.Env(), ContentDigest(value->data(), value->size()));
}

// keyDigest(key) -> the 32 hex digits naming the key's entry in the s3() and http() tiers (checked in TypeScript)
Napi::Value KeyDigest(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Key(info[0].ToString().Utf8Value()).digest().ToHex());
}

Napi::Value SetNow(const Napi::CallbackInfo& info, WriteCall& call) {
  Status status = call.chain->SetNow(call.key, std::move(call.value), call.write);
  if (!status.ok()) ThrowStatus(info.Env(), status);
  return Napi::Value();
}

// setSync(handle, key, value, ttl, tags)
Napi::Value SetSync(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info);
  return call ? SetNow(info, *call) : Napi::Value();
}

// set(handle, key, value, ttl, tags) -> undefined when done at once, else a promise
Napi::Value Set(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info);
  if (!call) return Napi::Value();
  if (call->chain->all_inline()) return SetNow(info, *call);
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->Set(call->key, std::move(call->value), call->write, SettleDone(pending));
  });
}

// hasSync(handle, key) -> boolean
Napi::Value HasSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Napi::Boolean::New(info.Env(), call->chain->HasNow(call->key));
}

// has(handle, key) -> boolean, or a promise of one
Napi::Value Has(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  if (call->chain->all_inline()) return Napi::Boolean::New(info.Env(), call->chain->HasNow(call->key));
  return Async(info.Env(), [&](auto pending) { call->chain->Has(call->key, SettleFound(pending)); });
}

// deleteSync(handle, key) -> boolean
Napi::Value DeleteSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Napi::Boolean::New(info.Env(), call->chain->DeleteNow(call->key));
}

// delete(handle, key) -> boolean, or a promise of one
Napi::Value Delete(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  if (call->chain->all_inline()) return Napi::Boolean::New(info.Env(), call->chain->DeleteNow(call->key));
  return Async(info.Env(), [&](auto pending) { call->chain->Delete(call->key, SettleFound(pending)); });
}

}  // namespace

void DefineEntryFunctions(Napi::Env env, Napi::Object exports) {
  DefineFunctions(env, exports, {
      {"getSync", GetSync},
      {"getSyncNear", GetSyncNear},
      {"changeCounters", ChangeCountersOf},
      {"touch", Touch},
      {"get", Get},
      {"getEntry", GetEntry},
      {"getContent", GetContent},
      {"putContent", PutContent},
      {"digest", Digest},
      {"keyDigest", KeyDigest},
      {"setSync", SetSync},
      {"set", Set},
      {"hasSync", HasSync},
      {"has", Has},
      {"deleteSync", DeleteSync},
      {"delete", Delete},
  });
}

}  // namespace stratacache::node
