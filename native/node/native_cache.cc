#include "native_cache.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "addon_data.h"
#include "cache_registry.h"
#include "custom_tier.h"
#include "event_sink.h"
#include "listing.h"
#include "platform_stores.h"
#include "promise_bridge.h"
#include "stratacache/cache_config.h"
#include "stratacache/content.h"
#include "values.h"

namespace stratacache::node {

namespace {

// Values up to this size are returned through the slab; larger ones are lent (see LendBuffer).
constexpr size_t kSlabValueMax = 4096;

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

std::optional<CacheConfig> ReadConfig(const Napi::Object& options) {
  CacheConfig config;
  std::optional<Ttl> ttl = ReadTtl(options.Get("ttl"));
  if (!ttl) return std::nullopt;
  config.ttl = *ttl;
  std::optional<std::vector<TtlRule>> rules = ReadTtlRules(options.Get("ttlRules"));
  if (!rules) return std::nullopt;
  config.ttl_rules = std::move(*rules);
  config.write_back = options.Get("writePolicy").StrictEquals(Napi::String::New(options.Env(), "back"));
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
    tier_config.settings = ReadStringMap(tier.Get("settings"));
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

NativeCache* HandleOf(const Napi::CallbackInfo& info) { return info[0].As<Napi::External<NativeCache>>().Data(); }

// The open chain of the handle in info[0], or nullptr after throwing ERR_CLOSED.
TierChain* OpenChain(const Napi::CallbackInfo& info) {
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

std::optional<KeyedCall> ReadKeyedCall(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return std::nullopt;
  NativeCache* cache = HandleOf(info);
  std::optional<Key> key = ReadKey(info[1], cache->ns);
  if (!key) return std::nullopt;
  return KeyedCall{cache, chain, std::move(*key)};
}

// (handle, key, value, ttl, ..., tags at `tags_at`).
struct WriteCall {
  TierChain* chain;
  Key key;
  Bytes value;
  WriteOptions write;
};

std::optional<WriteCall> ReadWriteCall(const Napi::CallbackInfo& info, size_t tags_at = 4) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return std::nullopt;
  std::optional<Bytes> value = ReadValue(info[2]);
  if (!value) return std::nullopt;
  std::optional<Ttl> ttl = ReadTtl(info[3]);
  if (!ttl) return std::nullopt;
  return WriteCall{call->chain, std::move(call->key), std::move(*value), WriteOptions{*ttl, ReadStringMap(info[tags_at])}};
}

// A slab reply is (new_slab << 29 | offset << 13 | length): the value's place in the slab, and whether the slab
// is a new one that JavaScript must fetch (slab()) before cutting the view.
constexpr int kSlabLengthBits = 13;
constexpr int kSlabOffsetBits = 16;
constexpr size_t kSlabBytes = size_t{1} << kSlabOffsetBits;
static_assert(kSlabValueMax < (1u << kSlabLengthBits));

void StartSlab(Napi::Env env, NativeCache* cache) {
  Napi::Uint8Array slab = Napi::Uint8Array::New(env, kSlabBytes);
  cache->slab = Napi::Persistent(slab);
  cache->slab_data = slab.Data();
  cache->slab_size = kSlabBytes;
  cache->slab_cursor = 0;
}

// How a read answers synchronously: -1 for a miss; a small value copied into the slab, as a slab reply;
// otherwise a Buffer lent from the core without a copy.
Napi::Value Reply(Napi::Env env, NativeCache* cache, const std::optional<Hit>& hit) {
  if (!hit) return Napi::Number::New(env, -1);
  const size_t size = hit->value.size();
  if (size > kSlabValueMax) return LendBuffer(env, hit->value);
  uint32_t new_slab = 0;
  if (cache->slab_cursor + size > cache->slab_size) {
    StartSlab(env, cache);
    new_slab = 1;
  }
  const size_t offset = cache->slab_cursor;
  if (size > 0) std::memcpy(cache->slab_data + offset, hit->value.data(), size);
  cache->slab_cursor = (offset + size + 7) & ~size_t{7};  // 8-byte aligned views, as for Node's Buffer pool
  const uint32_t reply = (new_slab << (kSlabOffsetBits + kSlabLengthBits)) |
                         (static_cast<uint32_t>(offset) << kSlabLengthBits) | static_cast<uint32_t>(size);
  return Napi::Number::New(env, reply);
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

Napi::Value Wrap(Napi::Env env, std::unique_ptr<NativeCache> cache) {
  return Napi::External<NativeCache>::New(env, cache.release(), [](Napi::Env, NativeCache* c) { delete c; });
}

// open({ tiers, ttl, ttlRules, shared?, fingerprint?, drivers? }) -> handle, or a promise of one when slower tiers
// must answer first
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = info[0].As<Napi::Object>();
  std::optional<CacheConfig> config = ReadConfig(options);
  if (!config) return Napi::Value();
  // Custom tiers are driven by JavaScript objects TypeScript opened for them (options.drivers[tier name]).
  const Napi::Value drivers = options.Get("drivers");
  PlatformStoreFactory stores = [&](const TierConfig& tier, Status* status) {
    return tier.kind == "custom" ? MakeCustomStore(env, drivers, tier, status) : MakePlatformStore(tier, status);
  };
  ChainBuilder build = [&](std::shared_ptr<TierChain>* chain) {
    return BuildTierChain(*config, std::make_shared<SystemClock>(), stores, chain);
  };
  auto cache = std::make_unique<NativeCache>();
  Napi::Value shared = options.Get("shared");
  Status status = shared.IsString() ? AcquireSharedChain(shared.As<Napi::String>().Utf8Value(),
                                                         options.Get("fingerprint").As<Napi::String>().Utf8Value(),
                                                         build, &cache->chain)
                                    : build(&cache->chain);
  if (!status.ok()) {
    ThrowStatus(env, status);
    return Napi::Value();
  }
  cache->closes_chain = !shared.IsString();
  if (cache->chain->all_inline()) return Wrap(env, std::move(cache));
  // Slower tiers check first that they can serve (an S3 bucket exists), so that open fails rather than every get.
  return Async(env, [&](std::shared_ptr<PendingPromise> pending) {
    TierChain* chain = cache->chain.get();
    auto box = std::make_shared<std::unique_ptr<NativeCache>>(std::move(cache));
    chain->Open([pending, box](Status status) {
      pending->Settle([status, box](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(Wrap(env, std::move(*box)));
      });
    });
  });
}

// endRemoteCalls(handle): the first step of closing (see TierChain::EndRemoteCalls), for a handle that closes its
// chain
Napi::Value EndRemoteCalls(const Napi::CallbackInfo& info) {
  NativeCache* cache = HandleOf(info);
  if (cache->chain && cache->closes_chain) cache->chain->EndRemoteCalls();
  return Napi::Value();
}

// close(handle): once flushed; a handle that closes its chain cancels what its remote tiers still have in flight
Napi::Value Close(const Napi::CallbackInfo& info) {
  NativeCache* cache = HandleOf(info);
  if (!cache->chain) return Napi::Value();
  cache->StopEvents(/*release=*/true);
  if (cache->closes_chain) cache->chain->CancelRemote();
  cache->chain.reset();
  return Napi::Value();
}

// listen(handle, listener, types): from now on the chain's events of these types ("error", "evict", ...) reach
// `listener`, on this thread; a later call changes the types (the first call's listener stays).
Napi::Value Listen(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  EventKinds kinds = 0;
  Napi::Array types = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < types.Length(); ++i) {
    if (auto kind = ParseEventKind(types.Get(i).ToString().Utf8Value())) kinds |= static_cast<EventKinds>(*kind);
  }
  NativeCache* cache = HandleOf(info);
  if (cache->events) {
    cache->events->SetKinds(chain->events(), kinds);
  } else {
    cache->events = EventSink::Attach(info.Env(), info[1].As<Napi::Function>(), chain->events(), kinds);
  }
  return Napi::Value();
}

// clean(handle, maxAgeMs, maxBytes) -> a promise of how many entries were removed; undefined limits are unset
Napi::Value Clean(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  CleanOptions options;
  if (info[1].IsNumber()) options.max_age_ms = static_cast<int64_t>(info[1].As<Napi::Number>().DoubleValue());
  if (info[2].IsNumber()) options.max_bytes = static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue());
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    chain->Clean(options, [pending](Status status, uint64_t removed) {
      pending->Settle([status, removed](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(Napi::Number::New(env, static_cast<double>(removed)));
      });
    });
  });
}

// getSync(handle, key) -> reply (see Reply)
Napi::Value GetSync(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  return Reply(info.Env(), call->cache, call->chain->GetNow(call->key));
}

// getSyncNear(handle, key, info) -> reply, as getSync; on a hit, info (a Float64Array) receives what a
// JavaScript-side copy of the value needs: [stripe, its change counter read before the lookup, expires at (ms
// since the epoch, Infinity for never)]. Reading the counter first makes a change racing the lookup visible.
Napi::Value GetSyncNear(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  const size_t stripe = ChangeCounters::StripeOf(call->key.digest());
  const uint32_t version = call->chain->changes()->Read(stripe);
  std::optional<Hit> hit = call->chain->GetNow(call->key);
  if (hit) {
    double* out = info[2].As<Napi::Float64Array>().Data();
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

// A hit that settles a promise: small values are copied into a new Buffer, which costs less than lending
// (a Buffer with a finalizer and a weak reference to find it again); larger ones are lent.
Napi::Value SettledBuffer(Napi::Env env, const Bytes& value) {
  if (value.size() > kSlabValueMax) return LendBuffer(env, value);
  return Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size());
}

// Reads the call's key down the tiers: a reply, or a promise of a Buffer or undefined when slower tiers must be read.
Napi::Value ReadThrough(const Napi::CallbackInfo& info, const KeyedCall& call) {
  if (call.chain->all_inline()) return Reply(info.Env(), call.cache, call.chain->GetNow(call.key));
  if (std::optional<Hit> hit = call.chain->LookupInline(call.key)) return Reply(info.Env(), call.cache, hit);
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call.chain->GetBelowInline(call.key, [pending](Status status, std::optional<Hit> hit) {
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

// clear(handle) -> a promise
Napi::Value Clear(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { chain->Clear(SettleDone(pending)); });
}

// flush(handle, tier) -> a promise, settled once the background writes started so far (to the named tier; '':
// to any) have finished
Napi::Value Flush(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  const std::string tier = info[1].ToString().Utf8Value();
  return Async(info.Env(), [&](auto pending) { chain->Flush(tier, SettleDone(pending)); });
}

// verify(handle) -> a promise of { entries, removedEntries, orphanFiles, tempFiles }, summed over the tiers
Napi::Value Verify(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    chain->Verify([pending](Status status, VerifyReport report) {
      pending->Settle([status, report](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        Napi::Object result = Napi::Object::New(env);
        result.Set("entries", static_cast<double>(report.entries));
        result.Set("removedEntries", static_cast<double>(report.removed_entries));
        result.Set("orphanFiles", static_cast<double>(report.orphan_files));
        result.Set("tempFiles", static_cast<double>(report.temp_files));
        deferred.Resolve(result);
      });
    });
  });
}

// listEntries(handle, tier, after, limit, ns, prefix) -> a promise of one page of the tier's live entries
// (see listing.h)
Napi::Value ListEntries(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  const std::string tier = info[1].ToString().Utf8Value();
  std::optional<ListRequest> request = ReadListRequest(info, 2);
  if (!request) return Napi::Value();
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    chain->ListEntries(tier, *request, [pending](Status status, std::vector<ListedEntry> page) {
      pending->Settle([status, page = std::move(page)](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(PageToJs(env, page));
      });
    });
  });
}

// stats(handle) -> { hits, misses, tiers: [...] }
Napi::Value Stats(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  return ToJs(info.Env(), chain->Stats());
}

// sweep(handle)
Napi::Value Sweep(const Napi::CallbackInfo& info) {
  if (TierChain* chain = OpenChain(info)) chain->Sweep();
  return Napi::Value();
}

// joinFlight(handle, key) -> the flight's id when this caller leads it (loads, then lands or ends it), else
// [waiter id, promise of the value] for the flight another caller (on any thread) leads
Napi::Value JoinFlight(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  Napi::Env env = info.Env();
  std::shared_ptr<PendingPromise> pending;
  SingleFlight::Ticket ticket = call->chain->flights().Join(call->key, [&] {
    pending = env.GetInstanceData<AddonData>()->bridge.Begin(env);
    return [pending](const Status& status, const Bytes& value) {
      pending->Settle([status, value](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
        deferred.Resolve(LendBuffer(env, value));
      });
    };
  });
  if (ticket.leader()) return Napi::Number::New(env, static_cast<double>(ticket.flight));
  pending->Started();
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, static_cast<double>(ticket.waiter)));
  result.Set(1u, pending->promise());
  return result;
}

// leaveFlight(handle, key, waiter) -> whether the waiter was still waiting (its promise then rejects ERR_ABORTED)
Napi::Value LeaveFlight(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  const auto waiter = static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue());
  return Napi::Boolean::New(info.Env(), call->chain->flights().Leave(call->key, waiter));
}

// landFlight(handle, key, value, ttl, flight, tags, staleMs) -> a promise: the loaded value is stored (kept
// staleMs past its TTL), then handed to the waiters
Napi::Value LandFlight(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info, /*tags_at=*/5);
  if (!call) return Napi::Value();
  call->write.stale_ms = static_cast<int64_t>(info[6].As<Napi::Number>().DoubleValue());
  const auto flight = static_cast<uint64_t>(info[4].As<Napi::Number>().DoubleValue());
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->Land(call->key, flight, std::move(call->value), call->write, SettleDone(pending));
  });
}

// endFlight(handle, key, flight, value, message): hands the waiters a value found already stored (a Uint8Array),
// or the loader's failure (`message`), without storing anything
Napi::Value EndFlight(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  const auto flight = static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue());
  std::optional<Bytes> value;
  if (info[3].IsTypedArray()) value = ReadValue(info[3]);
  const Status status = value ? Status::Ok() : Status(StatusCode::kLoader, info[4].ToString().Utf8Value());
  call->chain->flights().Complete(call->key, flight, status, value ? *value : Bytes());
  return Napi::Value();
}

// The directory entries of the call's chain (see directory_store.h), or nullptr after throwing: ERR_CLOSED, or
// ERR_INVALID_ARG for a cache without a disk tier.
DirectoryStore* DirectoriesOf(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return nullptr;
  DirectoryStore* directories = chain->directories();
  if (!directories) {
    ThrowStatus(info.Env(), Status(StatusCode::kInvalidArg, "directory entries need a cache with a disk tier"));
  }
  return directories;
}

// Completion for operations that grant a folder: resolves to [path, fill].
GrantDone SettleGrant(std::shared_ptr<PendingPromise> pending) {
  return [pending](Status status, DirectoryGrant grant) {
    pending->Settle([status, grant = std::move(grant)](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
      Napi::Array result = Napi::Array::New(env, 2);
      result.Set(0u, Napi::String::New(env, grant.path));
      result.Set(1u, Napi::Boolean::New(env, grant.fill));
      deferred.Resolve(result);
    });
  };
}

// acquireDirectory(handle, key) -> a promise of [path, fill]: the entry's folder, held; or with fill, a temp
// folder this caller fills, then commits or abandons
Napi::Value AcquireDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  return Async(info.Env(), [&](auto pending) { directories->AcquireDirectory(*key, SettleGrant(pending)); });
}

// commitDirectory(handle, key, tempPath) -> a promise of [path, false]: the filled folder, now the key's entry, held
Napi::Value CommitDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  const std::string temp_path = info[2].ToString().Utf8Value();
  return Async(info.Env(), [&](auto pending) { directories->CommitDirectory(*key, temp_path, SettleGrant(pending)); });
}

// abandonDirectory(handle, key, tempPath, message) -> a promise: the fill's folder is gone and its waiters got
// `message` as ERR_LOADER
Napi::Value AbandonDirectory(const Napi::CallbackInfo& info) {
  DirectoryStore* directories = DirectoriesOf(info);
  std::optional<Key> key = directories ? ReadKey(info[1]) : std::nullopt;
  if (!key) return Napi::Value();
  const std::string temp_path = info[2].ToString().Utf8Value();
  Status reason(StatusCode::kLoader, info[3].ToString().Utf8Value());
  return Async(info.Env(), [&](auto pending) {
    directories->AbandonDirectory(*key, temp_path, std::move(reason), SettleDone(pending));
  });
}

// releaseDirectory(handle, path): ends one hold on a granted folder
Napi::Value ReleaseDirectory(const Napi::CallbackInfo& info) {
  if (DirectoryStore* directories = DirectoriesOf(info)) directories->ReleaseDirectory(info[1].ToString().Utf8Value());
  return Napi::Value();
}

// namespaced(handle, ns) -> a handle over the same chain whose keys live in namespace `ns` (checked in
// TypeScript); closed on its own.
Napi::Value Namespaced(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  auto cache = std::make_unique<NativeCache>();
  cache->chain = HandleOf(info)->chain;
  cache->ns = info[1].ToString().Utf8Value();
  return Wrap(info.Env(), std::move(cache));
}

// limitNamespace(handle, ns, limits): bounds namespace `ns` in each tier named in `limits` ({ tier: bytes, or null
// to lift the bound }), evicting at once what is over
Napi::Value LimitNamespace(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  std::map<std::string, std::optional<uint64_t>> limits;
  Napi::Object by_tier = info[2].As<Napi::Object>();
  Napi::Array names = by_tier.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const Napi::Value limit = by_tier.Get(names.Get(i));
    limits[names.Get(i).ToString().Utf8Value()] =
        limit.IsNumber() ? std::optional(static_cast<uint64_t>(limit.As<Napi::Number>().DoubleValue())) : std::nullopt;
  }
  if (Status status = chain->LimitNamespace(info[1].ToString().Utf8Value(), limits); !status.ok()) {
    ThrowStatus(info.Env(), status);
  }
  return Napi::Value();
}

// slab(handle) -> the slab the handle's small hits are being copied into.
Napi::Value Slab(const Napi::CallbackInfo& info) { return HandleOf(info)->slab.Value(); }

}  // namespace

void DefineCacheFunctions(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> functions[] = {
      {"open", Open},       {"close", Close},           {"endRemoteCalls", EndRemoteCalls},           {"getSync", GetSync}, {"getSyncNear", GetSyncNear}, {"changeCounters", ChangeCountersOf}, {"touch", Touch}, {"get", Get}, {"getEntry", GetEntry},
      {"setSync", SetSync}, {"set", Set},               {"hasSync", HasSync}, {"has", Has},
      {"deleteSync", DeleteSync}, {"delete", Delete},   {"clear", Clear},     {"stats", Stats},
      {"sweep", Sweep},     {"slab", Slab},             {"listen", Listen},   {"clean", Clean},     {"verify", Verify},
      {"listEntries", ListEntries},
      {"flush", Flush},     {"digest", Digest},   {"keyDigest", KeyDigest}, {"putContent", PutContent}, {"getContent", GetContent},
      {"joinFlight", JoinFlight}, {"leaveFlight", LeaveFlight}, {"landFlight", LandFlight}, {"endFlight", EndFlight},
      {"acquireDirectory", AcquireDirectory}, {"commitDirectory", CommitDirectory},
      {"abandonDirectory", AbandonDirectory}, {"releaseDirectory", ReleaseDirectory},
      {"namespaced", Namespaced}, {"limitNamespace", LimitNamespace}, {"driverComplete", CompleteDriverCall},
  };
  for (const auto& [name, function] : functions) exports.Set(name, Napi::Function::New(env, function, name));
}

}  // namespace stratacache::node
