// Embind bindings: the JavaScript face of the core in the WebAssembly build.
//
// The build has no C++ exceptions, and a JavaScript exception thrown through wasm frames would skip C++
// destructors, so nothing here throws: synchronous calls return an Error object for TypeScript to throw, and
// asynchronous ones pass it to their callback as `callback(error, value)`.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "stratacache/cache_config.h"

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

val InvalidKey(const std::string& key) {
  if (key.empty()) return ToError(Status(StatusCode::kInvalidArg, "key must not be empty"));
  return ToError(Status(StatusCode::kInvalidArg, "key is longer than " + std::to_string(kMaxKeyBytes) + " UTF-8 bytes"));
}

bool ValidKey(const std::string& key) { return !key.empty() && key.size() <= kMaxKeyBytes; }

// Copies a Uint8Array into the core's memory in one step.
Bytes ReadBytes(const val& array) {
  const size_t size = array["length"].as<size_t>();
  Bytes bytes = Bytes::Allocate(size);
  if (size > 0) val(emscripten::typed_memory_view(size, bytes.mutable_data())).call<void>("set", array);
  return bytes;
}

// A JavaScript-owned copy: views of wasm memory go stale when it grows, so none is handed out.
val ToUint8Array(const Bytes& bytes) {
  return val(emscripten::typed_memory_view(bytes.size(), bytes.data())).call<val>("slice");
}

// undefined: the default applies; null: no expiry; a number: milliseconds (validated in TypeScript).
Ttl ReadTtl(const val& ttl) {
  if (ttl.isUndefined()) return Ttl::Unset();
  if (ttl.isNull()) return Ttl::Never();
  return Ttl::Millis(static_cast<int64_t>(ttl.as<double>()));
}

CacheConfig ReadConfig(const val& options) {
  CacheConfig config;
  config.ttl = ReadTtl(options["ttl"]);
  config.ram_shards = 1;  // no threads in this build
  const val tiers = options["tiers"];
  const unsigned count = tiers["length"].as<unsigned>();
  for (unsigned i = 0; i < count; ++i) {
    const val tier = tiers[i];
    config.tiers.push_back(TierConfig{tier["kind"].as<std::string>(), tier["name"].as<std::string>(),
                                      static_cast<uint64_t>(tier["cacheLimit"].as<double>()), ReadTtl(tier["ttl"])});
  }
  return config;
}

val StatusOrNull(const Status& status) { return status.ok() ? val::null() : ToError(status); }

}  // namespace

class WasmCache {
 public:
  explicit WasmCache(val options) {
    open_status_ = BuildTierChain(ReadConfig(options), std::make_shared<SystemClock>(), nullptr, &chain_);
  }

  // null when the cache opened, else the Error to throw.
  val openError() const { return StatusOrNull(open_status_); }

  val getSync(const std::string& key) {
    if (!ValidKey(key)) return InvalidKey(key);
    std::optional<Hit> hit = chain_->GetNow(Key(key));
    return hit ? ToUint8Array(hit->value) : val::undefined();
  }

  void get(const std::string& key, val callback) {
    if (!ValidKey(key)) {
      callback(InvalidKey(key), val::undefined());
      return;
    }
    chain_->Get(Key(key), [callback](Status status, std::optional<Hit> hit) {
      if (!status.ok()) {
        callback(ToError(status), val::undefined());
      } else {
        callback(val::null(), hit ? ToUint8Array(hit->value) : val::undefined());
      }
    });
  }

  val setSync(const std::string& key, val value, val ttl) {
    if (!ValidKey(key)) return InvalidKey(key);
    return StatusOrNull(chain_->SetNow(Key(key), ReadBytes(value), ReadTtl(ttl)));
  }

  void set(const std::string& key, val value, val ttl, val callback) {
    if (!ValidKey(key)) {
      callback(InvalidKey(key));
      return;
    }
    chain_->Set(Key(key), ReadBytes(value), ReadTtl(ttl), [callback](Status status) { callback(StatusOrNull(status)); });
  }

  val hasSync(const std::string& key) {
    if (!ValidKey(key)) return InvalidKey(key);
    return val(chain_->HasNow(Key(key)));
  }

  void has(const std::string& key, val callback) {
    if (!ValidKey(key)) {
      callback(InvalidKey(key), val(false));
      return;
    }
    chain_->Has(Key(key), FoundCallback(callback));
  }

  val removeSync(const std::string& key) {
    if (!ValidKey(key)) return InvalidKey(key);
    return val(chain_->DeleteNow(Key(key)));
  }

  void remove(const std::string& key, val callback) {
    if (!ValidKey(key)) {
      callback(InvalidKey(key), val(false));
      return;
    }
    chain_->Delete(Key(key), FoundCallback(callback));
  }

  void clear(val callback) {
    chain_->Clear([callback](Status status) { callback(StatusOrNull(status)); });
  }

  void sweep() { chain_->Sweep(); }

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
  static FoundDone FoundCallback(val callback) {
    return [callback](Status status, bool found) { callback(StatusOrNull(status), val(found)); };
  }

  Status open_status_;
  std::shared_ptr<TierChain> chain_;
};

EMSCRIPTEN_BINDINGS(stratacache) {
  emscripten::class_<WasmCache>("WasmCache")
      .constructor<val>()
      .function("openError", &WasmCache::openError)
      .function("getSync", &WasmCache::getSync)
      .function("get", &WasmCache::get)
      .function("setSync", &WasmCache::setSync)
      .function("set", &WasmCache::set)
      .function("hasSync", &WasmCache::hasSync)
      .function("has", &WasmCache::has)
      .function("removeSync", &WasmCache::removeSync)
      .function("remove", &WasmCache::remove)
      .function("clear", &WasmCache::clear)
      .function("sweep", &WasmCache::sweep)
      .function("stats", &WasmCache::stats);
}

}  // namespace stratacache::wasm
