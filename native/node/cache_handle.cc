#include "cache_handle.h"

#include <cstring>
#include <utility>

namespace stratacache::node {

namespace {

// Values up to this size are returned through the slab; larger ones are lent (see LendBuffer).
constexpr size_t kSlabValueMax = 4096;

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

}  // namespace

std::optional<WriteCall> ReadWriteCall(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return std::nullopt;
  std::optional<Bytes> value = ReadValue(info[2]);
  if (!value) return std::nullopt;
  std::optional<Ttl> ttl = ReadTtl(info[3]);
  if (!ttl) return std::nullopt;
  return WriteCall{call->chain, std::move(call->key), std::move(*value), WriteOptions{*ttl, ReadStringMap(info[4])}};
}

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

Napi::Value SettledBuffer(Napi::Env env, const Bytes& value) {
  if (value.size() > kSlabValueMax) return LendBuffer(env, value);
  return Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size());
}

Done SettleDone(std::shared_ptr<PendingPromise> pending) {
  return [pending](Status status) {
    pending->Settle([status](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
      deferred.Resolve(env.Undefined());
    });
  };
}

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

void DefineFunctions(Napi::Env env, Napi::Object exports,
                     std::initializer_list<std::pair<const char*, CacheFunction>> functions) {
  for (const auto& [name, function] : functions) exports.Set(name, Napi::Function::New(env, function, name));
}

}  // namespace stratacache::node
