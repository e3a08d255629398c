// Embind bindings: the JavaScript face of the core in the WebAssembly build.
//
// The build has no C++ exceptions, and a JavaScript exception thrown through wasm frames would skip C++
// destructors, so nothing here throws: synchronous calls return an Error object for TypeScript to throw, and
// asynchronous ones pass it to their callback as `callback(error, value)`.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "custom_store.h"
#include "fetch_http_store.h"
#include "hot_path.h"
#include "idb_store.h"
#include "js_bytes.h"
#include "stratacache/cache_config.h"
#include "stratacache/content.h"
#include "stratacache/named_blobs.h"

namespace stratacache::wasm {

using emscripten::val;

namespace {

val ToError(const Status& status) {
  val error = val::global("Error").new_(status.message());
  error.set("code", std::string(StatusCodeName(status.code())));
  error.set("retryable", status.retryable());
  if (!status.tier().empty()) error.set("tier", status.tier());
  return error;
}

// (Emscripten 3.1.6's val has no isObject.)
bool IsObject(const val& value) { return !value.isNull() && value.typeOf().as<std::string>() == "object"; }

// undefined: the default applies; null: no expiry; a number: milliseconds (validated in TypeScript).
Ttl ReadTtl(const val& ttl) {
  if (ttl.isUndefined()) return Ttl::Unset();
  if (ttl.isNull()) return Ttl::Never();
  return Ttl::Millis(static_cast<int64_t>(ttl.as<double>()));
}

// undefined (no tags) or an object of string values, as TypeScript validated it.
Tags ReadTags(const val& value) {
  Tags tags;
  if (!IsObject(value)) return tags;
  const val names = val::global("Object").call<val>("keys", value);
  for (unsigned i = 0; i < names["length"].as<unsigned>(); ++i) {
    const std::string name = names[i].as<std::string>();
    tags.emplace(name, value[name].as<std::string>());
  }
  return tags;
}

// ttlRules as TypeScript normalised them: [{ tags, all: ttl, byTier: { name: ttl } }].
std::vector<TtlRule> ReadTtlRules(const val& value) {
  std::vector<TtlRule> rules;
  if (value.isUndefined()) return rules;
  for (unsigned i = 0; i < value["length"].as<unsigned>(); ++i) {
    const val rule = value[i];
    TtlRule parsed{ReadTags(rule["tags"]), ReadTtl(rule["all"]), {}};
    const val by_tier = rule["byTier"];
    const val names = val::global("Object").call<val>("keys", by_tier);
    for (unsigned j = 0; j < names["length"].as<unsigned>(); ++j) {
      const std::string name = names[j].as<std::string>();
      parsed.by_tier.emplace(name, ReadTtl(by_tier[name]));
    }
    rules.push_back(std::move(parsed));
  }
  return rules;
}

CacheConfig ReadConfig(const val& options) {
  CacheConfig config;
  config.ttl = ReadTtl(options["ttl"]);
  config.ttl_rules = ReadTtlRules(options["ttlRules"]);
  config.write_back = options["writePolicy"].strictlyEquals(val("back"));
  config.ram_shards = 1;  // no threads in this build
  const val tiers = options["tiers"];
  const unsigned count = tiers["length"].as<unsigned>();
  for (unsigned i = 0; i < count; ++i) {
    const val tier = tiers[i];
    TierConfig tier_config;
    tier_config.kind = tier["kind"].as<std::string>();
    tier_config.name = tier["name"].as<std::string>();
    tier_config.limit_bytes = static_cast<uint64_t>(tier["cacheLimit"].as<double>());
    tier_config.ttl = ReadTtl(tier["ttl"]);
    if (const val settings = tier["settings"]; IsObject(settings)) {
      const val names = val::global("Object").call<val>("keys", settings);
      for (unsigned j = 0; j < names["length"].as<unsigned>(); ++j) {
        const std::string name = names[j].as<std::string>();
        tier_config.settings[name] = settings[name].as<std::string>();
      }
    }
    config.tiers.push_back(std::move(tier_config));
  }
  return config;
}

val StatusOrNull(const Status& status) { return status.ok() ? val::null() : ToError(status); }

// A frame of named blobs (named_blobs.h) from parallel arrays of names and Uint8Arrays, or the Error to throw.
val EncodeBlobs(val names, val values) {
  NamedBlobs blobs;
  for (unsigned i = 0; i < names["length"].as<unsigned>(); ++i) {
    blobs[names[i].as<std::string>()] = BytesFromJs(values[i]);
  }
  Bytes framed;
  if (Status status = EncodeNamedBlobs(blobs, &framed); !status.ok()) return ToError(status);
  return BytesToJs(framed);
}

// [names, values] of a frame, in its order, or the Error (ERR_CORRUPT) to throw.
val DecodeBlobs(val framed) {
  NamedBlobs blobs;
  if (Status status = DecodeNamedBlobs(BytesFromJs(framed), &blobs); !status.ok()) return ToError(status);
  val names = val::array();
  val values = val::array();
  for (const auto& [name, blob] : blobs) {
    names.call<void>("push", name);
    values.call<void>("push", BytesToJs(blob));
  }
  val result = val::array();
  result.call<void>("push", names);
  result.call<void>("push", values);
  return result;
}

// The stores of this build's own tiers, each over the driver TypeScript opened for it (options.drivers[tier
// name]): "indexeddb" (ts/idb/driver.ts), "http" (ts/http-driver.ts) and "custom" (ts/custom.ts).
PlatformStoreFactory BrowserStores(const val& options, std::shared_ptr<const Clock> clock) {
  return [options, drivers = options["drivers"], clock](const TierConfig& tier,
                                                       Status* status) -> std::unique_ptr<Store> {
    if (tier.kind != "indexeddb" && tier.kind != "http" && tier.kind != "custom") return nullptr;
    if (!IsObject(drivers) || !IsObject(drivers[tier.name])) {
      *status = Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' has no driver");
      return nullptr;
    }
    if (tier.kind == "custom") {
      auto has = tier.settings.find("has");
      return std::make_unique<WasmCustomStore>(clock, drivers[tier.name],
                                               has != tier.settings.end() && has->second == "true");
    }
    if (tier.kind == "http") {
      auto base_url = tier.settings.find("baseUrl");
      if (base_url != tier.settings.end()) {
        return std::make_unique<FetchHttpStore>(base_url->second, drivers[tier.name]);
      }
      *status = Status(StatusCode::kInvalidArg, "tier '" + tier.name + "' has no baseUrl");
      return nullptr;
    }
    auto durability = tier.settings.find("durability");
    const bool placed = durability != tier.settings.end() && durability->second == "placed";
    return std::make_unique<IdbStore>(tier.limit_bytes, clock, drivers[tier.name], placed);
  };
}

}  // namespace

// The answers of one getMany or setMany, collected in order; the callback runs once all are in.
class Batch {
 public:
  static std::shared_ptr<Batch> Start(unsigned size, val callback) {
    auto batch = std::shared_ptr<Batch>(new Batch(size, std::move(callback)));
    if (size == 0) batch->Finish();
    return batch;
  }
  unsigned size() const { return size_; }
  void Answer(unsigned i, const Status& status, val result) {
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    results_.set(i, std::move(result));
    if (--remaining_ == 0) Finish();
  }

 private:
  Batch(unsigned size, val callback)
      : size_(size), remaining_(size), results_(val::array()), callback_(std::move(callback)) {}
  void Finish() {
    if (first_error_.ok()) {
      callback_(val::null(), results_);
    } else {
      callback_(ToError(first_error_), val::undefined());
    }
  }

  const unsigned size_;
  unsigned remaining_;
  Status first_error_ = Status::Ok();
  val results_;
  val callback_;
};

class WasmCache {
 public:
  explicit WasmCache(val options) {
    auto clock = std::make_shared<SystemClock>();
    open_status_ = BuildTierChain(ReadConfig(options), clock, BrowserStores(options, clock), &chain_);
    hot_.chain = chain_.get();
  }

  // A cache over the same chain whose keys live in namespace `ns` (checked in TypeScript); JavaScript deletes it.
  WasmCache* namespaced(const std::string& ns) const { return new WasmCache(chain_, ns); }

  // Bounds namespace `ns` in each tier named in `limits` ({ tier: bytes, or null to lift the bound }), evicting
  // at once what is over: null, else the Error to throw.
  val limitNamespace(const std::string& ns, val limits) {
    std::map<std::string, std::optional<uint64_t>> by_tier;
    const val names = val::global("Object").call<val>("keys", limits);
    for (unsigned i = 0; i < names["length"].as<unsigned>(); ++i) {
      const std::string name = names[i].as<std::string>();
      const val limit = limits[name];
      by_tier[name] = limit.isNumber() ? std::optional(static_cast<uint64_t>(limit.as<double>())) : std::nullopt;
    }
    return StatusOrNull(chain_->LimitNamespace(ns, by_tier));
  }

  // JavaScript deletes a cache once closed and flushed: what its remote tiers still have in flight is cancelled.
  ~WasmCache() {
    if (listener_ != 0) chain_->events().Unsubscribe(listener_);
    if (!view_ && chain_) chain_->CancelRemote();
  }

  // null when the cache was built, else the Error to throw.
  val openError() const { return StatusOrNull(open_status_); }

  // Asks every tier whether it can serve (the IndexedDB tier loads its index).
  void open(val callback) {
    chain_->Open([callback](Status status) { callback(StatusOrNull(status)); });
  }

  // Delivers the chain's events of `types` ("error", "evict", ...) to `callback` as { type, tier, key, reason,
  // error }, replacing an earlier listener.
  void listen(val callback, val types) {
    if (listener_ != 0) chain_->events().Unsubscribe(listener_);
    EventKinds kinds = 0;
    for (unsigned i = 0; i < types["length"].as<unsigned>(); ++i) {
      if (auto kind = ParseEventKind(types[i].as<std::string>())) kinds |= static_cast<EventKinds>(*kind);
    }
    listener_ = chain_->events().Subscribe(
        [callback](const CacheEvent& event) {
          val js = val::object();
          js.set("type", std::string(EventKindName(event.kind)));
          js.set("tier", event.tier);
          if (!event.key.empty()) js.set("key", event.key);
          if (!event.ns.empty()) js.set("namespace", event.ns);
          if (!event.reason.empty()) js.set("reason", event.reason);
          if (!event.status.ok()) js.set("error", ToError(event.status));
          callback(js);
        },
        kinds);
  }

  // The cache's address for the hot-path functions (hot_path.h); the RAM tiers are read there first.
  uintptr_t chain() const { return reinterpret_cast<uintptr_t>(&hot_); }
  bool allInline() const { return chain_->all_inline(); }

  // Continues a get that missed the RAM tiers (strata_get answered kGoBelow).
  void getBelow(const std::string& key, val callback) {
    if (Status status = CheckKey(key); !status.ok()) {
      callback(ToError(status), val::undefined());
      return;
    }
    chain_->GetBelowInline(KeyOf(key), HitCallback(callback));
  }

  void set(const std::string& key, val value, val ttl, val tags, val callback) {
    if (Status status = CheckKey(key); !status.ok()) {
      callback(ToError(status));
      return;
    }
    chain_->Set(KeyOf(key), BytesFromJs(value), WriteOptions{ReadTtl(ttl), ReadTags(tags)},
                [callback](Status status) { callback(StatusOrNull(status)); });
  }

  // getMany and setMany: every key's call goes out within this one call, so an IndexedDB tier places them in one
  // transaction; `callback(error, results)` runs once, when the last is answered, with the first error if any.
  void getMany(val keys, val callback) {
    auto batch = Batch::Start(keys["length"].as<unsigned>(), std::move(callback));
    for (unsigned i = 0; i < batch->size(); ++i) {
      const std::string key = keys[i].as<std::string>();
      if (Status status = CheckKey(key); !status.ok()) {
        batch->Answer(i, status, val::undefined());
        continue;
      }
      chain_->Get(KeyOf(key), [batch, i](Status status, std::optional<Hit> hit) {
        batch->Answer(i, status, status.ok() ? HitValue(hit) : val::undefined());
      });
    }
  }

  void setMany(val keys, val values, val ttl, val tags, val callback) {
    auto batch = Batch::Start(keys["length"].as<unsigned>(), std::move(callback));
    const WriteOptions write{ReadTtl(ttl), ReadTags(tags)};
    for (unsigned i = 0; i < batch->size(); ++i) {
      const std::string key = keys[i].as<std::string>();
      if (Status status = CheckKey(key); !status.ok()) {
        batch->Answer(i, status, val::undefined());
        continue;
      }
      chain_->Set(KeyOf(key), BytesFromJs(values[i]), write,
                  [batch, i](Status status) { batch->Answer(i, status, val::undefined()); });
    }
  }

  // setSync with tags (the hot path's strata_set takes none): null when stored, else the Error to throw.
  val setNow(const std::string& key, val value, val ttl, val tags) {
    if (Status status = CheckKey(key); !status.ok()) return ToError(status);
    return StatusOrNull(chain_->SetNow(KeyOf(key), BytesFromJs(value), WriteOptions{ReadTtl(ttl), ReadTags(tags)}));
  }

  // Stores content under its digest (see PutContent); `callback(error, digest)`.
  void putContent(val value, val ttl, val tags, val callback) {
    PutContent(chain_, BytesFromJs(value), WriteOptions{ReadTtl(ttl), ReadTags(tags)},
               [callback](Status status, std::string digest) {
                 callback(StatusOrNull(status), status.ok() ? val(digest) : val::undefined());
               });
  }

  // Reads the content stored under `digest` down the tiers; `callback(error, value or undefined)`.
  void getContent(const std::string& digest, val callback) {
    if (Status status = CheckContentDigest(digest); !status.ok()) {
      callback(ToError(status), val::undefined());
      return;
    }
    chain_->Get(ContentKey(digest), HitCallback(callback));
  }

  // A read down the tiers, as get, that also tells how long the value lives: `callback(error, value or
  // undefined, expires at in ms since the epoch, Infinity for never)`.
  void getEntry(const std::string& key, val callback) {
    if (Status status = CheckKey(key); !status.ok()) {
      callback(ToError(status), val::undefined(), val::undefined());
      return;
    }
    chain_->Get(KeyOf(key), [callback](Status status, std::optional<Hit> hit) {
      if (!status.ok()) {
        callback(ToError(status), val::undefined(), val::undefined());
        return;
      }
      val value = HitValue(hit);
      callback(val::null(), value, hit ? val(ExpiryAsDouble(hit->expires_at_ms)) : val::undefined());
    });
  }

  void has(const std::string& key, val callback) {
    if (Status status = CheckKey(key); !status.ok()) {
      callback(ToError(status), val(false));
      return;
    }
    chain_->Has(KeyOf(key), FoundCallback(callback));
  }

  void remove(const std::string& key, val callback) {
    if (Status status = CheckKey(key); !status.ok()) {
      callback(ToError(status), val(false));
      return;
    }
    chain_->Delete(KeyOf(key), FoundCallback(callback));
  }

  void clear(val callback) {
    chain_->Clear([callback](Status status) { callback(StatusOrNull(status)); });
  }

  // The single flight of a key (see SingleFlight): the flight's id when this caller leads it, else minus the
  // waiter's id, and `callback(error, value)` receives the leader's outcome.
  double joinFlight(const std::string& key, val callback) {
    SingleFlight::Ticket ticket = chain_->flights().Join(KeyOf(key), [&] {
      return [callback](const Status& status, const Bytes& value) {
        if (!status.ok()) {
          callback(ToError(status), val::undefined());
        } else {
          callback(val::null(), BytesToJs(value));
        }
      };
    });
    return ticket.leader() ? static_cast<double>(ticket.flight) : -static_cast<double>(ticket.waiter);
  }

  bool leaveFlight(const std::string& key, double waiter) {
    return chain_->flights().Leave(KeyOf(key), static_cast<uint64_t>(waiter));
  }

  // Stores the loaded value (kept staleMs past its TTL), then hands it to the flight's waiters.
  void landFlight(const std::string& key, val value, val ttl, val tags, double flight, double stale_ms, val callback) {
    chain_->Land(KeyOf(key), static_cast<uint64_t>(flight), BytesFromJs(value),
                 WriteOptions{ReadTtl(ttl), ReadTags(tags), static_cast<int64_t>(stale_ms)},
                 [callback](Status status) { callback(StatusOrNull(status)); });
  }

  // Hands the waiters a value found already stored (a Uint8Array), or the loader's failure (`message`).
  void endFlight(const std::string& key, double flight, val value, const std::string& message) {
    const bool found = !value.isUndefined();
    const Status status = found ? Status::Ok() : Status(StatusCode::kLoader, message);
    chain_->flights().Complete(KeyOf(key), static_cast<uint64_t>(flight), status, found ? BytesFromJs(value) : Bytes());
  }

  // `callback(null)` once the background writes started so far (to tier `tier`; '': to any) have finished.
  void flush(const std::string& tier, val callback) {
    chain_->Flush(tier, [callback](Status status) { callback(StatusOrNull(status)); });
  }

  // The first step of closing: calls waiting on a remote tier (http) fail with ERR_CLOSED at once. A namespace's
  // view leaves that to its cache, which closes first.
  void endRemoteCalls() {
    if (!view_) chain_->EndRemoteCalls();
  }

  void sweep() { chain_->Sweep(); }

  // Another process changed the entry under `digest` (32 hex digits; undefined: cleared every entry) in the shared
  // tier `tier`: the RAM tiers above drop their copies (TierChain::ForgetAbove). null, else the Error to throw.
  val forgetAbove(const std::string& tier, val digest) {
    std::optional<Digest> parsed;
    if (!digest.isUndefined()) {
      parsed = DigestFromHex(digest.as<std::string>());
      if (!parsed) return ToError(Status(StatusCode::kInvalidArg, "a key digest is 32 lowercase hex digits"));
    }
    return StatusOrNull(chain_->ForgetAbove(tier, parsed ? &*parsed : nullptr));
  }

  // One page of the live entries of tier `tier` (Store::ListEntries): after (a cursor or undefined), limit, ns
  // (undefined: every namespace), prefix; `callback(error, [{ cursor, namespace, key, size, expiresAt }])`.
  void listEntries(const std::string& tier, val after, double limit, val ns, const std::string& prefix,
                   val callback) {
    ListRequest request;
    request.limit = static_cast<size_t>(limit);
    request.prefix = prefix;
    if (ns.isString()) request.ns = ns.as<std::string>();
    if (after.isString()) {
      request.after = DigestFromHex(after.as<std::string>());
      if (!request.after) {
        callback(ToError(Status(StatusCode::kInvalidArg, "a listing cursor is 32 lowercase hex digits")), val::null());
        return;
      }
    }
    chain_->ListEntries(tier, request, [callback](Status status, std::vector<ListedEntry> page) {
      if (!status.ok()) {
        callback(ToError(status), val::null());
        return;
      }
      val entries = val::array();
      for (const ListedEntry& entry : page) {
        val js = val::object();
        js.set("cursor", entry.digest.ToHex());
        js.set("namespace", entry.ns);
        js.set("key", entry.key);
        js.set("size", static_cast<double>(entry.size));
        js.set("expiresAt", ExpiryAsDouble(entry.expires_at_ms));
        entries.call<void>("push", js);
      }
      callback(val::null(), entries);
    });
  }

  val stats() const {
    ChainStats stats = chain_->Stats();
    val result = val::object();
    result.set("hits", static_cast<double>(stats.hits));
    result.set("misses", static_cast<double>(stats.misses));
    val tiers = val::array();
    for (const TierStats& tier : stats.tiers) {
      val t = val::object();
      t.set("name", tier.name);
      VisitCounters(tier, [&](const char* name, uint64_t value) { t.set(name, static_cast<double>(value)); });
      tiers.call<void>("push", t);
    }
    result.set("tiers", tiers);
    return result;
  }

 private:
  WasmCache(std::shared_ptr<TierChain> chain, std::string ns) : chain_(std::move(chain)), view_(true) {
    hot_.chain = chain_.get();
    hot_.ns = std::move(ns);
  }

  Key KeyOf(const std::string& key) const { return Key(hot_.ns, key); }

  // A hit's value for JavaScript: a copy of the Hit's bytes, which JavaScript owns.
  static val HitValue(const std::optional<Hit>& hit) { return hit ? BytesToJs(hit->value) : val::undefined(); }
  static GetDone HitCallback(val callback) {
    return [callback](Status status, std::optional<Hit> hit) {
      if (!status.ok()) {
        callback(ToError(status), val::undefined());
      } else {
        callback(val::null(), HitValue(hit));
      }
    };
  }
  static FoundDone FoundCallback(val callback) {
    return [callback](Status status, bool found) { callback(StatusOrNull(status), val(found)); };
  }

  Status open_status_;
  std::shared_ptr<TierChain> chain_;
  bool view_ = false;  // a namespace's view of another cache's chain
  HotHandle hot_;
  uint64_t listener_ = 0;
};

EMSCRIPTEN_BINDINGS(stratacache) {
  emscripten::class_<WasmCache>("WasmCache")
      .constructor<val>()
      .function("openError", &WasmCache::openError)
      .function("open", &WasmCache::open)
      .function("listen", &WasmCache::listen)
      .function("chain", &WasmCache::chain)
      .function("allInline", &WasmCache::allInline)
      .function("getBelow", &WasmCache::getBelow)
      .function("set", &WasmCache::set)
      .function("getMany", &WasmCache::getMany)
      .function("setMany", &WasmCache::setMany)
      .function("setNow", &WasmCache::setNow)
      .function("putContent", &WasmCache::putContent)
      .function("getContent", &WasmCache::getContent)
      .function("getEntry", &WasmCache::getEntry)
      .function("has", &WasmCache::has)
      .function("remove", &WasmCache::remove)
      .function("clear", &WasmCache::clear)
      .function("joinFlight", &WasmCache::joinFlight)
      .function("leaveFlight", &WasmCache::leaveFlight)
      .function("landFlight", &WasmCache::landFlight)
      .function("endFlight", &WasmCache::endFlight)
      .function("flush", &WasmCache::flush)
      .function("endRemoteCalls", &WasmCache::endRemoteCalls)
      .function("sweep", &WasmCache::sweep)
      .function("forgetAbove", &WasmCache::forgetAbove)
      .function("listEntries", &WasmCache::listEntries)
      .function("stats", &WasmCache::stats)
      .function("namespaced", &WasmCache::namespaced, emscripten::allow_raw_pointers())
      .function("limitNamespace", &WasmCache::limitNamespace);
  emscripten::function("driverComplete", &DriverChannel::Complete);
  emscripten::function("encodeBlobs", &EncodeBlobs);
  emscripten::function("decodeBlobs", &DecodeBlobs);
  emscripten::function("digest", +[](val value) {
    const Bytes bytes = BytesFromJs(value);
    return ContentDigest(bytes.data(), bytes.size());
  });
  // The 32 hex digits naming a key's entry in the http() tier (the key checked in TypeScript).
  emscripten::function("keyDigest", +[](const std::string& key) { return Key(key).digest().ToHex(); });
  emscripten::function("lastError", +[]() { return ToError(LastHotPathError()); });
}

}  // namespace stratacache::wasm
