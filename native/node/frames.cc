#include "frames.h"

#include <string>
#include <utility>

#include "stratacache/named_blobs.h"
#include "values.h"

namespace stratacache::node {

namespace {

// encodeBlobs(names, values) -> a Buffer holding the frame; values are Uint8Arrays or strings (UTF-8)
Napi::Value EncodeBlobs(const Napi::CallbackInfo& info) {
  Napi::Array names = info[0].As<Napi::Array>();
  Napi::Array values = info[1].As<Napi::Array>();
  NamedBlobs blobs;
  for (uint32_t i = 0; i < names.Length(); ++i) {
    std::optional<Bytes> value = ReadValue(values.Get(i));
    if (!value) return Napi::Value();
    blobs[names.Get(i).As<Napi::String>().Utf8Value()] = std::move(*value);
  }
  Bytes framed;
  if (Status status = EncodeNamedBlobs(blobs, &framed); !status.ok()) {
    ThrowStatus(info.Env(), status);
    return Napi::Value();
  }
  return LendBuffer(info.Env(), framed);
}

// decodeBlobs(frame) -> [names, values], in the frame's order; throws ERR_CORRUPT for what is not a frame
Napi::Value DecodeBlobs(const Napi::CallbackInfo& info) {
  std::optional<Bytes> framed = ReadValue(info[0]);
  if (!framed) return Napi::Value();
  NamedBlobs blobs;
  if (Status status = DecodeNamedBlobs(*framed, &blobs); !status.ok()) {
    ThrowStatus(info.Env(), status);
    return Napi::Value();
  }
  Napi::Env env = info.Env();
  Napi::Array names = Napi::Array::New(env, blobs.size());
  Napi::Array values = Napi::Array::New(env, blobs.size());
  uint32_t i = 0;
  for (const auto& [name, blob] : blobs) {
    names.Set(i, name);
    values.Set(i++, LendBuffer(env, blob));
  }
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, names);
  result.Set(1u, values);
  return result;
}

}  // namespace

void DefineFrameFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("encodeBlobs", Napi::Function::New(env, EncodeBlobs, "encodeBlobs"));
  exports.Set("decodeBlobs", Napi::Function::New(env, DecodeBlobs, "decodeBlobs"));
}

}  // namespace stratacache::node
