#include "s3_mount.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "addon_data.h"
#include "stratacache/curl/libcurl.h"
#include "stratacache/s3/s3_client.h"
#include "stratacache/s3/s3_store.h"
#include "values.h"

namespace stratacache::node {

namespace {

struct S3Mount {
  std::string bucket;
  std::unique_ptr<s3::S3Client> client;  // null once closed
};

// A JavaScript AbortSignal's native twin: JavaScript aborts it from its 'abort' listener.
using SignalHandle = std::shared_ptr<s3::AbortSignal>;

// The mount in info[0], or nullptr after throwing ERR_CLOSED.
S3Mount* OpenMount(const Napi::CallbackInfo& info) {
  S3Mount* mount = info[0].As<Napi::External<S3Mount>>().Data();
  if (mount->client) return mount;
  ThrowStatus(info.Env(), Status(StatusCode::kClosed, "the S3 mount is closed"));
  return nullptr;
}

SignalHandle SignalOf(const Napi::Value& value) {
  return value.IsExternal() ? *value.As<Napi::External<SignalHandle>>().Data() : nullptr;
}

std::string StringOf(const Napi::Value& value) { return value.As<Napi::String>().Utf8Value(); }

// { size, etag, lastModified }: the whole object's, also after a ranged read; lastModified is 0 when unknown.
Napi::Object InfoToJs(Napi::Env env, const s3::ObjectInfo& info) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("size", static_cast<double>(info.size));
  result.Set("etag", info.etag);
  result.Set("lastModified", static_cast<double>(info.last_modified_ms));
  return result;
}

Napi::Object PageToJs(Napi::Env env, const s3::ListObjectsPage& page) {
  Napi::Array objects = Napi::Array::New(env, page.objects.size());
  for (size_t i = 0; i < page.objects.size(); ++i) {
    const s3::ObjectSummary& summary = page.objects[i];
    Napi::Object object = Napi::Object::New(env);
    object.Set("key", summary.key);
    object.Set("size", static_cast<double>(summary.size));
    object.Set("etag", summary.etag);
    object.Set("lastModified", static_cast<double>(summary.last_modified_ms));
    objects.Set(static_cast<uint32_t>(i), object);
  }
  Napi::Array prefixes = Napi::Array::New(env, page.common_prefixes.size());
  for (size_t i = 0; i < page.common_prefixes.size(); ++i) {
    prefixes.Set(static_cast<uint32_t>(i), page.common_prefixes[i]);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("objects", objects);
  result.Set("prefixes", prefixes);
  if (page.is_truncated) result.Set("nextToken", page.next_continuation_token);
  return result;
}

// A request's completion, settling its promise: undefined for no such object (a miss, not an error), null for a
// range past the object's end (HTTP 416), the error as a StrataError code, else `to_js(env, value)`.
template <class T, class ToJs>
s3::S3Callback<T> SettleWith(std::shared_ptr<PendingPromise> pending, ToJs to_js) {
  return [pending, to_js](s3::S3Result<T> result) {
    pending->Settle([result = std::move(result), to_js](Napi::Env env, Napi::Promise::Deferred& deferred) {
      if (result.error.kind == s3::S3ErrorKind::kNotFound) return deferred.Resolve(env.Undefined());
      if (result.error.http_status == 416) return deferred.Resolve(env.Null());
      if (!result.ok()) return deferred.Reject(ToError(env, result.error.ToStatus()).Value());
      deferred.Resolve(to_js(env, result.value));
    });
  };
}

// { bytes, size, etag, lastModified }: the body without a copy (an empty one has no memory to lend).
Napi::Object ObjectToJs(Napi::Env env, const s3::GetObjectResult& object) {
  Napi::Object result = InfoToJs(env, object.info);
  result.Set("bytes", object.body.size() == 0 ? Napi::Buffer<uint8_t>::New(env, 0) : LendBuffer(env, object.body));
  return result;
}

// s3MountOpen(settings) -> mount: the s3() tier's settings (bucket, region, endpoint, credentials.*, ...),
// resolved as the tier resolves them. Nothing is sent yet.
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const s3::S3SettingsMap settings = ReadStringMap(info[0]);
  if (Status loaded = curl::LoadLibcurl(); !loaded.ok()) {
    ThrowStatus(env, loaded);
    return Napi::Value();
  }
  auto client = s3::S3Client::Create(s3::ClientOptionsFrom(settings));
  if (!client.ok()) {
    ThrowStatus(env, client.error.ToStatus());
    return Napi::Value();
  }
  auto bucket = settings.find("bucket");
  auto* mount = new S3Mount{bucket == settings.end() ? std::string() : bucket->second, std::move(client.value)};
  return Napi::External<S3Mount>::New(env, mount, [](Napi::Env, S3Mount* mount) { delete mount; });
}

// s3MountClose(mount): requests still in flight reject with ERR_CLOSED.
Napi::Value Close(const Napi::CallbackInfo& info) {
  info[0].As<Napi::External<S3Mount>>().Data()->client.reset();
  return Napi::Value();
}

// s3MountList(mount, prefix, delimiter, continuationToken, maxKeys, signal?) -> a promise of one page:
// { objects: [{ key, size, etag, lastModified }], prefixes: [...], nextToken? (when there are more) }
Napi::Value List(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  s3::ListObjectsRequest request{.bucket = mount->bucket,
                                 .prefix = StringOf(info[1]),
                                 .delimiter = StringOf(info[2]),
                                 .continuation_token = StringOf(info[3]),
                                 .max_keys = info[4].As<Napi::Number>().Int32Value(),
                                 .signal = SignalOf(info[5])};
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->ListObjects(std::move(request), SettleWith<s3::ListObjectsPage>(pending, PageToJs));
  });
}

// s3MountHead(mount, key, signal?) -> a promise of { size, etag, lastModified }, or undefined for no such object
Napi::Value Head(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  s3::HeadObjectRequest request{.bucket = mount->bucket, .key = StringOf(info[1]), .signal = SignalOf(info[2])};
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->HeadObject(std::move(request), SettleWith<s3::ObjectInfo>(pending, InfoToJs));
  });
}

// s3MountGet(mount, key, start, end?, signal?) -> a promise of { bytes, size, etag, lastModified } for bytes
// [start, end) (to the end without `end`), undefined for no such object, or null when `start` is past the end.
Napi::Value Get(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  s3::GetObjectRequest request{.bucket = mount->bucket, .key = StringOf(info[1]), .signal = SignalOf(info[4])};
  const auto start = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
  if (info[3].IsNumber()) {
    request.range = s3::ByteRange{start, static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()) - start};
  } else if (start > 0) {
    request.range = s3::ByteRange{start};
  }
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->GetObject(std::move(request), SettleWith<s3::GetObjectResult>(pending, ObjectToJs));
  });
}

// { etag } of an object just written or copied.
Napi::Object WrittenToJs(Napi::Env env, const s3::PutObjectResult& written) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("etag", written.etag);
  return result;
}

// The keys a batch delete could not remove: [{ key, code, message }].
Napi::Array FailuresToJs(Napi::Env env, const s3::DeleteObjectsResult& result) {
  Napi::Array failures = Napi::Array::New(env, result.failures.size());
  for (size_t i = 0; i < result.failures.size(); ++i) {
    Napi::Object failure = Napi::Object::New(env);
    failure.Set("key", result.failures[i].key);
    failure.Set("code", result.failures[i].s3_code);
    failure.Set("message", result.failures[i].message);
    failures.Set(static_cast<uint32_t>(i), failure);
  }
  return failures;
}

// s3MountPut(mount, key, bytes, signal?) -> a promise of { etag }. The bytes are copied before the call returns.
Napi::Value Put(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  std::optional<Bytes> body = ReadValue(info[2]);
  if (!body) return Napi::Value();
  s3::PutObjectRequest request{
      .bucket = mount->bucket, .key = StringOf(info[1]), .body = std::move(*body), .signal = SignalOf(info[3])};
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->PutObject(std::move(request), SettleWith<s3::PutObjectResult>(pending, WrittenToJs));
  });
}

// s3MountCopy(mount, sourceKey, key, signal?) -> a promise of { etag }, or undefined when there is no source.
// The service copies the bytes; they do not pass through this process.
Napi::Value Copy(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  s3::CopyObjectRequest request{.bucket = mount->bucket,
                                .source_key = StringOf(info[1]),
                                .key = StringOf(info[2]),
                                .signal = SignalOf(info[3])};
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->CopyObject(std::move(request), SettleWith<s3::PutObjectResult>(pending, WrittenToJs));
  });
}

// s3MountDelete(mount, key, signal?) -> a promise of undefined, also when there was no such object.
Napi::Value Delete(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  s3::DeleteObjectRequest request{.bucket = mount->bucket, .key = StringOf(info[1]), .signal = SignalOf(info[2])};
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->DeleteObject(std::move(request), [pending](s3::S3Error error) {
      pending->Settle([error = std::move(error)](Napi::Env env, Napi::Promise::Deferred& deferred) {
        if (!error.ok()) return deferred.Reject(ToError(env, error.ToStatus()).Value());
        deferred.Resolve(env.Undefined());
      });
    });
  });
}

// s3MountDeleteMany(mount, keys, signal?) -> a promise of the keys not deleted, [{ key, code, message }]:
// multi-object deletes (POST ?delete with Content-MD5) of up to 1,000 keys each, one after another.
Napi::Value DeleteMany(const Napi::CallbackInfo& info) {
  S3Mount* mount = OpenMount(info);
  if (!mount) return Napi::Value();
  Napi::Array keys = info[1].As<Napi::Array>();
  s3::DeleteObjectsRequest request{.bucket = mount->bucket, .signal = SignalOf(info[2])};
  request.keys.reserve(keys.Length());
  for (uint32_t i = 0; i < keys.Length(); ++i) request.keys.push_back(StringOf(keys.Get(i)));
  return Async(info.Env(), [&](std::shared_ptr<PendingPromise> pending) {
    mount->client->DeleteObjects(std::move(request), SettleWith<s3::DeleteObjectsResult>(pending, FailuresToJs));
  });
}

// s3MountSignal() -> a native abort signal to pass to requests; s3MountAbort(signal) fires it.
Napi::Value Signal(const Napi::CallbackInfo& info) {
  return Napi::External<SignalHandle>::New(info.Env(), new SignalHandle(s3::AbortSignal::Create()),
                                           [](Napi::Env, SignalHandle* signal) { delete signal; });
}

Napi::Value Abort(const Napi::CallbackInfo& info) {
  SignalOf(info[0])->Abort();
  return Napi::Value();
}

}  // namespace

void DefineS3MountFunctions(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> functions[] = {
      {"s3MountOpen", Open},     {"s3MountClose", Close},   {"s3MountList", List},
      {"s3MountHead", Head},     {"s3MountGet", Get},       {"s3MountPut", Put},
      {"s3MountCopy", Copy},     {"s3MountDelete", Delete}, {"s3MountDeleteMany", DeleteMany},
      {"s3MountSignal", Signal}, {"s3MountAbort", Abort},
  };
  for (const auto& [name, function] : functions) exports.Set(name, Napi::Function::New(env, function, name));
}

}  // namespace stratacache::node
