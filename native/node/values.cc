#include "values.h"

#include "addon_data.h"

#include <cmath>
#include <string>
#include <vector>

namespace stratacache::node {

namespace {

void ThrowInvalid(Napi::Env env, const std::string& message) {
  ThrowStatus(env, Status(StatusCode::kInvalidArg, message));
}

}  // namespace

Napi::Error ToError(Napi::Env env, const Status& status) {
  Napi::Error error = Napi::Error::New(env, status.message());
  error.Set("code", Napi::String::New(env, StatusCodeName(status.code())));
  error.Set("retryable", Napi::Boolean::New(env, status.retryable()));
  if (!status.tier().empty()) error.Set("tier", Napi::String::New(env, status.tier()));
  return error;
}

void ThrowStatus(Napi::Env env, const Status& status) { ToError(env, status).ThrowAsJavaScriptException(); }

std::optional<Key> ReadKey(const Napi::Value& value, std::string_view ns) {
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
  return Key(ns, std::string_view(buffer, length));
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

std::map<std::string, std::string> ReadStringMap(const Napi::Value& value) {
  std::map<std::string, std::string> map;
  if (!value.IsObject()) return map;
  Napi::Object object = value.As<Napi::Object>();
  Napi::Array names = object.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    map.emplace(name, object.Get(name).ToString().Utf8Value());
  }
  return map;
}

std::optional<std::vector<TtlRule>> ReadTtlRules(const Napi::Value& value) {
  std::vector<TtlRule> rules;
  if (!value.IsArray()) return rules;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Object rule = array.Get(i).As<Napi::Object>();
    TtlRule parsed;
    parsed.tags = ReadStringMap(rule.Get("tags"));
    std::optional<Ttl> all = ReadTtl(rule.Get("all"));
    if (!all) return std::nullopt;
    parsed.all_tiers = *all;
    Napi::Object by_tier = rule.Get("byTier").As<Napi::Object>();
    Napi::Array names = by_tier.GetPropertyNames();
    for (uint32_t j = 0; j < names.Length(); ++j) {
      std::string name = names.Get(j).As<Napi::String>().Utf8Value();
      std::optional<Ttl> ttl = ReadTtl(by_tier.Get(name));
      if (!ttl) return std::nullopt;
      parsed.by_tier.emplace(std::move(name), *ttl);
    }
    rules.push_back(std::move(parsed));
  }
  return rules;
}

namespace {

// What a lent Buffer's finalizer needs: the core's reference to release and the table entry to forget.
struct Lent {
  void* token;
  AddonData* data;
};

}  // namespace

Napi::Value LendBuffer(Napi::Env env, const Bytes& bytes) {
  AddonData* data = env.GetInstanceData<AddonData>();
  auto found = data->lent.find(bytes.data());
  if (found != data->lent.end()) {
    Napi::Buffer<uint8_t> alive = found->second.Value();
    if (!alive.IsEmpty()) return alive;
  }
  auto* lent = new Lent{bytes.Lend(), data};
  auto buffer = Napi::Buffer<uint8_t>::New(
      env, const_cast<uint8_t*>(bytes.data()), bytes.size(),
      [](Napi::Env, uint8_t* address, Lent* lent) {
        // A newer Buffer may have taken the entry over after this one was collected; leave that one be.
        auto entry = lent->data->lent.find(address);
        if (entry != lent->data->lent.end() && entry->second.Value().IsEmpty()) lent->data->lent.erase(entry);
        Bytes::ReleaseBorrowed(lent->token);
        delete lent;
      },
      lent);
  data->lent[bytes.data()] = Napi::Weak(buffer);
  return buffer;
}

}  // namespace stratacache::node
