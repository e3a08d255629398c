#include "hot_path.h"

#include <emscripten/emscripten.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "stratacache/bytes.h"
#include "stratacache/key.h"
#include "stratacache/tier_chain.h"
#include "stratacache/ttl.h"

namespace stratacache::wasm {
namespace {

// Results of the hot-path functions below zero; zero and above are lengths or booleans.
constexpr int32_t kMiss = -1;
constexpr int32_t kFailed = -2;     // see strata_last_error
constexpr int32_t kGoBelow = -3;  // not in the RAM tiers: continue with WasmCache::getBelow

// A UTF-16 unit is at most 3 UTF-8 bytes; a longer key is refused before it is encoded.
alignas(8) uint8_t key_scratch[3 * kMaxKeyBytes];
// The value of the last hit, kept alive until the next call so that JavaScript can copy it out.
Bytes last_hit;
uintptr_t last_hit_data = 0;
// What a near-cache fill (ts/near-cache.ts) needs of the last strata_get: its key's stripe, the stripe's change
// counter read before the lookup, and when a hit expires (ms since the epoch, +inf for never).
struct NearSlot {
  uint32_t stripe;
  uint32_t version;
  double expires_at_ms;
};
NearSlot near_slot;
// The value strata_stage allocated, for the next strata_set.
Bytes staged;
Status last_error;

const HotHandle& Handle(uintptr_t cache) { return *reinterpret_cast<const HotHandle*>(cache); }
TierChain* Chain(uintptr_t cache) { return Handle(cache).chain; }

// The key in the scratch region, in the cache's namespace, or nullopt (with last_error set) when it is not a
// valid key.
std::optional<Key> ScratchKey(uintptr_t cache, uint32_t key_length) {
  const std::string_view text(reinterpret_cast<const char*>(key_scratch), key_length);
  if (Status status = CheckKey(text); !status.ok()) {
    last_error = std::move(status);
    return std::nullopt;
  }
  return Key(Handle(cache).ns, text);
}

int32_t Failed(Status status) {
  last_error = std::move(status);
  return kFailed;
}

int32_t Answer(std::optional<Hit> hit) {
  if (!hit) return kMiss;
  near_slot.expires_at_ms = ExpiryAsDouble(hit->expires_at_ms);
  last_hit = std::move(hit->value);
  last_hit_data = reinterpret_cast<uintptr_t>(last_hit.data());
  return static_cast<int32_t>(last_hit.size());
}

}  // namespace

Status CheckKey(std::string_view key) {
  if (key.empty()) return Status(StatusCode::kInvalidArg, "key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return Status(StatusCode::kInvalidArg, "key is longer than " + std::to_string(kMaxKeyBytes) + " UTF-8 bytes");
  }
  return Status::Ok();
}

const Status& LastHotPathError() { return last_error; }

extern "C" {

EMSCRIPTEN_KEEPALIVE uintptr_t strata_key_scratch() { return reinterpret_cast<uintptr_t>(key_scratch); }

// Where the data address of the last hit is, for JavaScript to read after a non-negative strata_get.
EMSCRIPTEN_KEEPALIVE uintptr_t strata_hit_slot() { return reinterpret_cast<uintptr_t>(&last_hit_data); }

// Where NearSlot is: { u32 stripe, u32 version, f64 expires at }, filled by every strata_get.
EMSCRIPTEN_KEEPALIVE uintptr_t strata_near_slot() { return reinterpret_cast<uintptr_t>(&near_slot); }

// Where the chain's change counters are (ChangeCounters::kStripes words), for JavaScript to read in place.
EMSCRIPTEN_KEEPALIVE uintptr_t strata_change_counters(uintptr_t cache) {
  return reinterpret_cast<uintptr_t>(Chain(cache)->changes()->words());
}

// Marks the key in the scratch region as used in the RAM tiers, for a hit served from a near-cache copy.
EMSCRIPTEN_KEEPALIVE int32_t strata_touch(uintptr_t cache, uint32_t key_length) {
  std::optional<Key> key = ScratchKey(cache, key_length);
  if (!key) return kFailed;
  Chain(cache)->TouchInline(*key);
  return 0;
}

// Reads the RAM tiers. `below`: a miss there continues below (kGoBelow) when slower tiers exist, else counts
// as the cache's miss (the synchronous API, or a cache of RAM tiers only).
EMSCRIPTEN_KEEPALIVE int32_t strata_get(uintptr_t cache, uint32_t key_length, int32_t below) {
  std::optional<Key> key = ScratchKey(cache, key_length);
  if (!key) return kFailed;
  TierChain& chain = *Chain(cache);
  near_slot.stripe = static_cast<uint32_t>(ChangeCounters::StripeOf(key->digest()));
  near_slot.version = chain.changes()->Read(near_slot.stripe);
  if (!below) return Answer(chain.GetNow(*key));
  if (std::optional<Hit> hit = chain.LookupInline(*key)) return Answer(std::move(hit));
  if (!chain.all_inline()) return kGoBelow;
  chain.GetBelowInline(*key, [](Status, std::optional<Hit>) {});  // counts the miss
  return kMiss;
}

// Allocates `size` bytes for the value of the next strata_set and returns their address (JavaScript fills them).
EMSCRIPTEN_KEEPALIVE uintptr_t strata_stage(uint32_t size) {
  staged = Bytes::Allocate(size);
  return reinterpret_cast<uintptr_t>(staged.mutable_data());
}

// Stores the staged value in the RAM tiers at once, and below them in the background. `ttl_kind`: 0 the
// default, 1 no expiry, 2 `ttl_ms` milliseconds. 0 when stored.
EMSCRIPTEN_KEEPALIVE int32_t strata_set(uintptr_t cache, uint32_t key_length, int32_t ttl_kind, double ttl_ms) {
  std::optional<Key> key = ScratchKey(cache, key_length);
  if (!key) return kFailed;
  const Ttl ttl = ttl_kind == 0 ? Ttl::Unset() : ttl_kind == 1 ? Ttl::Never() : Ttl::Millis(static_cast<int64_t>(ttl_ms));
  Status status = Chain(cache)->SetNow(*key, std::exchange(staged, Bytes()), WriteOptions{ttl, {}});
  return status.ok() ? 0 : Failed(std::move(status));
}

// 1 when a RAM tier holds a live entry, else 0.
EMSCRIPTEN_KEEPALIVE int32_t strata_has(uintptr_t cache, uint32_t key_length) {
  std::optional<Key> key = ScratchKey(cache, key_length);
  if (!key) return kFailed;
  return Chain(cache)->HasNow(*key) ? 1 : 0;
}

// Removes the key from the RAM tiers at once and below them in the background; 1 when a RAM tier held it.
EMSCRIPTEN_KEEPALIVE int32_t strata_delete(uintptr_t cache, uint32_t key_length) {
  std::optional<Key> key = ScratchKey(cache, key_length);
  if (!key) return kFailed;
  return Chain(cache)->DeleteNow(*key) ? 1 : 0;
}

}  // extern "C"

}  // namespace stratacache::wasm
