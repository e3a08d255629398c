// The cache functions on a whole cache: open and close, events, statistics, clean, verify, flush, listings and
// namespaces. The functions on entries, flights and directory entries are in cache_entries.cc, cache_flights.cc
// and cache_directories.cc; what they all share in cache_handle.h.
#include "native_cache.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "addon_data.h"
#include "cache_handle.h"
#include "cache_registry.h"
#include "custom_tier.h"
#include "listing.h"
#include "platform_stores.h"
#include "stratacache/cache_config.h"

namespace stratacache::node {

namespace {

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

using ProgressHandle = std::shared_ptr<VerifyProgress>;

// verify(handle) -> [a promise of { entries, removedEntries, orphanFiles, tempFiles } summed over the tiers,
// its progress (for verifyProgress)]
Napi::Value Verify(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  Napi::Env env = info.Env();
  auto progress = std::make_shared<VerifyProgress>();
  Napi::Value done = Async(env, [&](std::shared_ptr<PendingPromise> pending) {
    chain->Verify(progress, [pending](Status status, VerifyReport report) {
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
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, done);
  result.Set(1u, Napi::External<ProgressHandle>::New(env, new ProgressHandle(std::move(progress)),
                                                     [](Napi::Env, ProgressHandle* handle) { delete handle; }));
  return result;
}

// verifyProgress(progress) -> [content items checked, content items to check] of the verify that gave `progress`
Napi::Value VerifyProgressOf(const Napi::CallbackInfo& info) {
  const VerifyProgress& progress = **info[0].As<Napi::External<ProgressHandle>>().Data();
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(0u, static_cast<double>(progress.checked.load()));
  result.Set(1u, static_cast<double>(progress.total.load()));
  return result;
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

// forgetAbove(handle, tier, digest): another process changed the entry under `digest` (32 hex digits; undefined:
// cleared every entry) in the shared tier `tier`; the RAM tiers above drop their copies (TierChain::ForgetAbove)
Napi::Value ForgetAbove(const Napi::CallbackInfo& info) {
  TierChain* chain = OpenChain(info);
  if (!chain) return Napi::Value();
  std::optional<Digest> digest;
  if (!info[2].IsUndefined()) {
    digest = DigestFromHex(info[2].ToString().Utf8Value());
    if (!digest) {
      ThrowStatus(info.Env(), Status(StatusCode::kInvalidArg, "a key digest is 32 lowercase hex digits"));
      return Napi::Value();
    }
  }
  const Status status = chain->ForgetAbove(info[1].ToString().Utf8Value(), digest ? &*digest : nullptr);
  if (!status.ok()) ThrowStatus(info.Env(), status);
  return Napi::Value();
}

// slab(handle) -> the slab the handle's small hits are being copied into.
Napi::Value Slab(const Napi::CallbackInfo& info) { return HandleOf(info)->slab.Value(); }

}  // namespace

void DefineCacheFunctions(Napi::Env env, Napi::Object exports) {
  DefineFunctions(env, exports, {
      {"open", Open},
      {"endRemoteCalls", EndRemoteCalls},
      {"close", Close},
      {"listen", Listen},
      {"stats", Stats},
      {"sweep", Sweep},
      {"slab", Slab},
      {"clean", Clean},
      {"clear", Clear},
      {"flush", Flush},
      {"verify", Verify},
      {"verifyProgress", VerifyProgressOf},
      {"listEntries", ListEntries},
      {"namespaced", Namespaced},
      {"limitNamespace", LimitNamespace},
      {"forgetAbove", ForgetAbove},
      {"driverComplete", CompleteDriverCall},
  });
  DefineEntryFunctions(env, exports);
  DefineOutsideReadFunctions(env, exports);
  DefineFlightFunctions(env, exports);
  DefineDirectoryFunctions(env, exports);
}

}  // namespace stratacache::node
