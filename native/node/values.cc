#include "values.h"

#include <cmath>
#include <string>

namespace stratacache::node {

namespace {

// Below this size a copy is cheaper than wrapping the core's memory in an external buffer with a finalizer.
constexpr size_t kLendThreshold = 4096;

void ThrowInvalid(Napi::Env env, const std::string& message) {
  ThrowStatus(env, Status(StatusCode::kInvalidArg, message));
}

}  // namespace

Napi::Error ToError(Napi::Env env, const Status& status) {
  Napi::Error error = Napi::Error::New(env, status.message());
  error.Set("code", Napi::String::New(env, StatusCodeName(status.code())));
  return error;
}

void ThrowStatus(Napi::Env env, const Status& status) { ToError(env, status).ThrowAsJavaScriptException(); }

std::optional<Key> ReadKey(const Napi::Value& value) {
  napi_env env = value.Env();
  if (!value.IsString()) {
    ThrowInvalid(env, "key must be a string");
    return std::nullopt;
  }
  // One byte more than the longest key, so an overlong key shows up as a full buffer.
  char buffer[kMaxKeyBytes + 2];
  size_t length = 0;
  napi_get_value_string_utf8(env, value, buffer, sizeof(buffer), &length);
  if (length == 0) {
    ThrowInvalid(env, "key must not be empty");
    return std::nullopt;
  }
  if (length > kMaxKeyBytes) {
    ThrowInvalid(env, "key is longer than " + std::to_string(kMaxKeyBytes) + " UTF-8 bytes");
    return std::nullopt;
  }
  return Key(std::string_view(buffer, length));
}

std::optional<Bytes> ReadValue(const Napi::Value& value) {
  napi_env env = value.Env();
  if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    auto array = value.As<Napi::Uint8Array>();
    return Bytes::Copy(array.Data(), array.ByteLength());
  }
  if (value.IsString()) {
    size_t length = 0;
    napi_get_value_string_utf8(env, value, nullptr, 0, &length);
    std::string utf8(length + 1, '\0');  // the writer always appends a terminator
    napi_get_value_string_utf8(env, value, utf8.data(), utf8.size(), &length);
    return Bytes::Copy(utf8.data(), length);
  }
  ThrowInvalid(env, "value must be a Uint8Array, a Buffer or a string");
  return std::nullopt;
}

std::optional<Ttl> ReadTtl(const Napi::Value& value) {
  if (value.IsUndefined()) return Ttl::Unset();
  if (value.IsNull()) return Ttl::Never();
  if (value.IsNumber()) {
    double ms = value.As<Napi::Number>().DoubleValue();
    if (std::isfinite(ms) && ms > 0) return Ttl::Millis(static_cast<int64_t>(std::ceil(ms)));
  }
  ThrowInvalid(value.Env(), "ttl must be a positive number of milliseconds or null");
  return std::nullopt;
}

Napi::Value ToBuffer(Napi::Env env, const Bytes& bytes) {
  if (bytes.size() < kLendThreshold) return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
  void* token = bytes.Lend();
  return Napi::Buffer<uint8_t>::New(env, const_cast<uint8_t*>(bytes.data()), bytes.size(),
                                    [](Napi::Env, uint8_t*, void* hint) { Bytes::ReleaseBorrowed(hint); }, token);
}

}  // namespace stratacache::node
