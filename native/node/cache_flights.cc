// The cache functions of single flight (getOrSet): joining a key's flight as its leader or a waiter, leaving it,
// and landing or ending it (see single_flight.h).
#include "native_cache.h"

#include <memory>
#include <optional>
#include <utility>

#include "addon_data.h"
#include "cache_handle.h"

namespace stratacache::node {

namespace {

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

// landFlight(handle, key, value, ttl, tags, flight, staleMs) -> a promise: the loaded value is stored (kept
// staleMs past its TTL), then handed to the waiters
Napi::Value LandFlight(const Napi::CallbackInfo& info) {
  std::optional<WriteCall> call = ReadWriteCall(info);
  if (!call) return Napi::Value();
  const auto flight = static_cast<uint64_t>(info[5].As<Napi::Number>().DoubleValue());
  call->write.stale_ms = static_cast<int64_t>(info[6].As<Napi::Number>().DoubleValue());
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

}  // namespace

void DefineFlightFunctions(Napi::Env env, Napi::Object exports) {
  DefineFunctions(env, exports, {
      {"joinFlight", JoinFlight},
      {"leaveFlight", LeaveFlight},
      {"landFlight", LandFlight},
      {"endFlight", EndFlight},
  });
}

}  // namespace stratacache::node
