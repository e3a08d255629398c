// Reads whose call to the first tier below the RAM ones JavaScript makes itself (the redis() tier: ts/direct-reads.ts),
// begun and answered here so that the core still counts them, reports their failures, and promotes their hits
// (TierChain::BeginOutsideRead). What the tier's stored bytes mean is the custom() tier's rule (custom_store.h).
#include <memory>
#include <optional>
#include <utility>

#include "addon_data.h"
#include "cache_handle.h"
#include "native_cache.h"
#include "stratacache/custom_store.h"

namespace stratacache::node {

namespace {

// beginRead(handle, key) -> a reply (see Reply) when a RAM tier holds the key; else [entry name (the key's
// digest, 32 hex digits), ticket] for the tier's read, whose answer goes to answerRead with the ticket.
Napi::Value BeginRead(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  TierChain::OutsideRead read;
  if (std::optional<Hit> hit = call->chain->BeginOutsideRead(call->key, &read)) {
    return Reply(info.Env(), call->cache, hit);
  }
  Napi::Array begun = Napi::Array::New(info.Env(), 2);
  begun.Set(0u, Napi::String::New(info.Env(), call->key.digest().ToHex()));
  begun.Set(1u, Napi::Number::New(info.Env(), read.forgets));
  return begun;
}

// answerRead(handle, key, ticket, error message or null, stored bytes or null) -> a reply when the tier read is the
// last one, else a promise of a Buffer or undefined (the tiers below are read on a miss).
Napi::Value AnswerRead(const Napi::CallbackInfo& info) {
  std::optional<KeyedCall> call = ReadKeyedCall(info);
  if (!call) return Napi::Value();
  const TierChain::OutsideRead read{info[2].As<Napi::Number>().Uint32Value()};
  CustomStore::Reply reply;
  if (info[3].IsString()) {
    reply.status = Status(StatusCode::kUnavailable, info[3].As<Napi::String>().Utf8Value());
  } else if (info[4].IsTypedArray()) {
    auto bytes = info[4].As<Napi::Uint8Array>();
    reply.value = Bytes::Copy(bytes.Data(), bytes.ByteLength());
  }
  auto [status, hit] = CustomStore::ReadAnswer(call->key, std::move(reply), SystemClock().NowMs());
  if (call->chain->outside_read_is_last()) {
    Status answered;
    std::optional<Hit> answer;
    call->chain->AnswerOutsideRead(call->key, read, std::move(status), std::move(hit),
                                   [&](Status outcome, std::optional<Hit> found) {
                                     answered = std::move(outcome);
                                     answer = std::move(found);
                                   });
    if (!answered.ok()) ThrowStatus(info.Env(), answered);
    return answered.ok() ? Reply(info.Env(), call->cache, answer) : Napi::Value();
  }
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    call->chain->AnswerOutsideRead(
        call->key, read, std::move(status), std::move(hit), [pending](Status status, std::optional<Hit> found) {
          pending->Settle([status, found = std::move(found)](Napi::Env env, Napi::Promise::Deferred& deferred) {
            if (!status.ok()) return deferred.Reject(ToError(env, status).Value());
            deferred.Resolve(found ? SettledBuffer(env, found->value) : env.Undefined());
          });
        });
  });
}

}  // namespace

void DefineOutsideReadFunctions(Napi::Env env, Napi::Object exports) {
  DefineFunctions(env, exports, {{"beginRead", BeginRead}, {"answerRead", AnswerRead}});
}

}  // namespace stratacache::node
