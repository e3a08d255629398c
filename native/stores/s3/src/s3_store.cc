#include "stratacache/s3/s3_store.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "crypto.h"

namespace stratacache::s3 {

namespace {

constexpr char kKeyMeta[] = "strata-key";
constexpr char kNamespaceMeta[] = "strata-namespace";
constexpr char kExpiresMeta[] = "strata-expires";
constexpr char kSha256Meta[] = "strata-sha256";
constexpr char kNever[] = "never";
constexpr size_t kDigestHexSize = 32;

std::string NormalizedPrefix(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

std::optional<int64_t> ParseExpiry(const std::string* text) {
  if (text == nullptr) return std::nullopt;
  if (*text == kNever) return kNeverExpires;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

bool IsHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Whether `object` holds the bytes that were stored: checked against the SHA-256 this tier stores with them, or,
// for an object written before it did, against its ETag when that is the MD5 of the body (a single-request
// upload, not encrypted with KMS or a customer's key). nullopt when neither can tell.
std::optional<bool> Intact(const GetObjectResult& object) {
  if (const std::string* sha256 = object.info.FindMetadata(kSha256Meta)) {
    return *sha256 == Sha256Hex(object.body.view());
  }
  std::string_view etag = object.info.etag;
  if (object.info.etag_may_be_md5 && etag.size() == 34 && etag.front() == '"' && etag.back() == '"' &&
      IsHex(etag.substr(1, 32))) {
    return etag.substr(1, 32) == Md5Hex(object.body.view());
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<S3Store> S3Store::Create(const S3StoreOptions& options, std::shared_ptr<const Clock> clock,
                                         Status* status) {
  if (options.bucket.empty()) {
    *status = Status(StatusCode::kInvalidArg, "the s3 tier needs a bucket");
    return nullptr;
  }
  S3Result<std::unique_ptr<S3Client>> client = S3Client::Create(options.client);
  if (!client.ok()) {
    *status = client.error.ToStatus();
    return nullptr;
  }
  std::unique_ptr<S3Store> store(new S3Store(options, std::move(clock)));
  store->client_ = std::move(client.value);
  *status = Status::Ok();
  return store;
}

S3Store::S3Store(const S3StoreOptions& options, std::shared_ptr<const Clock> clock)
    : bucket_(options.bucket),
      prefix_(NormalizedPrefix(options.prefix)),
      limit_bytes_(options.limit_bytes),
      cooldown_ms_(options.cooldown_ms),
      clock_(std::move(clock)) {}

S3Store::~S3Store() = default;

std::string S3Store::ObjectName(const Key& key) const { return prefix_ + key.digest().ToHex(); }

Status S3Store::CheckBreaker() const {
  const int64_t until = open_until_ms_.load(std::memory_order_relaxed);
  if (until == 0 || clock_->NowMs() >= until) return Status::Ok();
  return Status(StatusCode::kUnavailable, "S3 could not be reached recently; the tier is skipped for " +
                                              std::to_string(until - clock_->NowMs()) + " ms more (circuit open)");
}

Status S3Store::Fail(const S3Error& error) {
  if (error.kind != S3ErrorKind::kIo && error.kind != S3ErrorKind::kTimeout) return error.ToStatus();
  open_until_ms_.store(clock_->NowMs() + cooldown_ms_, std::memory_order_relaxed);
  // The call that ran out of time says so (a set it failed rejects); the calls the breaker then skips are
  // kUnavailable.
  if (error.kind == S3ErrorKind::kTimeout) return error.ToStatus();
  return Status(StatusCode::kUnavailable, "S3 could not be reached (" + error.ToString() + "); the tier is skipped for " +
                                              std::to_string(cooldown_ms_) + " ms (circuit open)");
}

S3Store::Holding S3Store::HoldingOf(const Key& key, const ObjectInfo& info) const {
  const std::string* stored_key = info.FindMetadata(kKeyMeta);
  if (stored_key == nullptr || *stored_key != Base64(key.text())) return Holding::kOther;
  const std::string* stored_ns = info.FindMetadata(kNamespaceMeta);
  if ((stored_ns ? *stored_ns : std::string()) != (key.ns().empty() ? std::string() : Base64(key.ns()))) {
    return Holding::kOther;
  }
  std::optional<int64_t> expires = ParseExpiry(info.FindMetadata(kExpiresMeta));
  if (!expires) return Holding::kOther;  // not written by this tier
  return clock_->NowMs() < *expires ? Holding::kLive : Holding::kExpired;
}

void S3Store::ReportRemovalsTo(const EventHub* hub, std::string tier) {
  tier_name_ = std::move(tier);
  events_.store(hub, std::memory_order_release);
}

void S3Store::ReportExpired(const Key& key) const {
  const EventHub* hub = events_.load(std::memory_order_acquire);
  if (hub != nullptr && hub->wants(EventKind::kExpire)) {
    hub->Emit(CacheEvent{EventKind::kExpire, tier_name_, key.text(), "read", Status::Ok(), key.ns()});
  }
}

void S3Store::Open(Done done) {
  client_->HeadBucket({.bucket = bucket_}, [this, done = std::move(done)](S3Error error) {
    if (error.kind == S3ErrorKind::kNoSuchBucket) {
      return done(Status(StatusCode::kNotFound, "S3 bucket '" + bucket_ + "' does not exist (NoSuchBucket)", false));
    }
    done(error.ToStatus());
  });
}

void S3Store::Get(const Key& key, GetDone done) {
  if (Status status = CheckBreaker(); !status.ok()) return done(status, std::nullopt);
  if (!reads_.Join(key, std::move(done))) return;  // the request already on its way answers this caller too
  const std::string name = ObjectName(key);
  client_->GetObject({.bucket = bucket_, .key = name}, [this, key, name](S3Result<GetObjectResult> result) {
    Status status;
    std::optional<Hit> hit;
    if (result.ok()) {
      Succeeded();
      Remember(name, result.value.body.size());
      const Holding holding = HoldingOf(key, result.value.info);
      const std::optional<bool> intact = holding == Holding::kLive ? Intact(result.value) : std::nullopt;
      if (intact == false) {
        status =
            Status(StatusCode::kCorrupt,
                   "GET s3://" + bucket_ + "/" + name + ": the bytes do not match the digest stored with them", false);
      } else if (intact == true) {
        hit = Hit{std::move(result.value.body), *ParseExpiry(result.value.info.FindMetadata(kExpiresMeta))};
      } else if (holding == Holding::kExpired) {
        ReportExpired(key);
      }
    } else if (result.error.kind == S3ErrorKind::kNotFound) {
      Succeeded();
      Forget(name);
    } else {
      status = Fail(result.error);
    }
    reads_.Finish(key, status, hit);
  });
}

void S3Store::Has(const Key& key, FoundDone done) {
  if (Status status = CheckBreaker(); !status.ok()) return done(status, false);
  const std::string name = ObjectName(key);
  client_->HeadObject({.bucket = bucket_, .key = name}, [this, key, name, done = std::move(done)](S3Result<ObjectInfo> result) {
    if (result.ok()) {
      Succeeded();
      Remember(name, result.value.size);
      return done(Status::Ok(), HoldingOf(key, result.value) == Holding::kLive);
    }
    if (result.error.kind == S3ErrorKind::kNotFound) {
      Succeeded();
      Forget(name);
      return done(Status::Ok(), false);
    }
    done(Fail(result.error), false);
  });
}

void S3Store::Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) {
  if (limit_bytes_ != 0 && value.size() > limit_bytes_) {
    return done(Status(StatusCode::kTooLarge, "the value is larger than the s3 tier's cacheLimit"));
  }
  if (Status status = CheckBreaker(); !status.ok()) return done(status);
  Metadata metadata = {{kKeyMeta, Base64(key.text())},
                       {kExpiresMeta, expires_at_ms == kNeverExpires ? kNever : std::to_string(expires_at_ms)}};
  if (!key.ns().empty()) metadata.emplace_back(kNamespaceMeta, Base64(key.ns()));
  const std::string name = ObjectName(key);
  const uint64_t size = value.size();
  client_->PutObject({.bucket = bucket_,
                      .key = name,
                      .body = std::move(value),
                      .metadata = std::move(metadata),
                      .sha256_metadata = kSha256Meta},
                     [this, name, size, done = std::move(done)](S3Result<PutObjectResult> result) {
                       if (!result.ok()) return done(Fail(result.error));
                       Succeeded();
                       Remember(name, size);
                       done(Status::Ok());
                     });
}

void S3Store::Delete(const Key& key, FoundDone done) {
  // HEAD first: the object under this name may belong to another key, which this delete must leave alone.
  Has(key, [this, name = ObjectName(key), done = std::move(done)](Status status, bool found) mutable {
    if (!status.ok() || !found) return done(status, false);
    client_->DeleteObject({.bucket = bucket_, .key = name}, [this, name, done = std::move(done)](S3Error error) {
      if (!error.ok()) return done(Fail(error), false);
      Forget(name);
      done(Status::Ok(), true);
    });
  });
}

void S3Store::ListOwn(std::function<void(Status, std::vector<ObjectSummary>)> then) {
  if (Status status = CheckBreaker(); !status.ok()) return then(status, {});
  client_->ListAllObjects({.bucket = bucket_, .prefix = prefix_},
                          [this, then = std::move(then)](S3Result<ListObjectsPage> result) {
                            if (!result.ok()) return then(Fail(result.error), {});
                            Succeeded();
                            // Only names this tier makes: other objects may share the prefix.
                            std::erase_if(result.value.objects, [this](const ObjectSummary& object) {
                              std::string_view rest = std::string_view(object.key).substr(prefix_.size());
                              return rest.size() != kDigestHexSize || !IsHex(rest);
                            });
                            then(Status::Ok(), std::move(result.value.objects));
                          });
}

void S3Store::DeleteNames(std::vector<std::string> names, CountDone done) {
  if (names.empty()) return done(Status::Ok(), 0);
  const uint64_t count = names.size();
  client_->DeleteObjects({.bucket = bucket_, .keys = names},
                         [this, names, count, done = std::move(done)](S3Result<DeleteObjectsResult> result) {
                           for (const std::string& name : names) Forget(name);
                           if (!result.ok()) return done(Fail(result.error), 0);
                           Succeeded();
                           if (!result.value.failures.empty()) {
                             const DeleteFailure& first = result.value.failures.front();
                             return done(Status(StatusCode::kIo, std::to_string(result.value.failures.size()) +
                                                                     " objects could not be deleted (" + first.s3_code +
                                                                     ": " + first.message + ")"),
                                         count - result.value.failures.size());
                           }
                           done(Status::Ok(), count);
                         });
}

void S3Store::Clear(Done done) {
  ListOwn([this, done = std::move(done)](Status status, std::vector<ObjectSummary> objects) {
    if (!status.ok()) return done(status);
    std::vector<std::string> names;
    for (ObjectSummary& object : objects) names.push_back(std::move(object.key));
    DeleteNames(std::move(names), [this, done](Status status, uint64_t) {
      if (status.ok()) {
        std::lock_guard lock(known_mu_);
        known_.clear();
        known_bytes_ = 0;
      }
      done(status);
    });
  });
}

void S3Store::Clean(const CleanOptions& options, CountDone done) {
  if (!options.max_age_ms && !options.max_bytes) return done(Status::Ok(), 0);
  ListOwn([this, options, done = std::move(done)](Status status, std::vector<ObjectSummary> objects) {
    if (!status.ok()) return done(status, 0);
    // Newest first: what survives is a prefix of this order.
    std::sort(objects.begin(), objects.end(),
              [](const ObjectSummary& a, const ObjectSummary& b) { return a.last_modified_ms > b.last_modified_ms; });
    const int64_t oldest_kept =
        options.max_age_ms ? clock_->NowMs() - *options.max_age_ms : std::numeric_limits<int64_t>::min();
    uint64_t kept_bytes = 0;
    bool full = false;  // once one object does not fit, every older one goes too
    std::vector<std::string> names;
    for (ObjectSummary& object : objects) {
      full = full || (options.max_bytes && kept_bytes + object.size > *options.max_bytes);
      if (full || object.last_modified_ms < oldest_kept) {
        names.push_back(std::move(object.key));
      } else {
        kept_bytes += object.size;
      }
    }
    DeleteNames(std::move(names), std::move(done));
  });
}

void S3Store::Remember(const std::string& name, uint64_t size) {
  std::lock_guard lock(known_mu_);
  auto [entry, added] = known_.try_emplace(name, size);
  if (!added) known_bytes_ -= entry->second;
  entry->second = size;
  known_bytes_ += size;
}

void S3Store::Forget(const std::string& name) {
  std::lock_guard lock(known_mu_);
  auto entry = known_.find(name);
  if (entry == known_.end()) return;
  known_bytes_ -= entry->second;
  known_.erase(entry);
}

StoreCounters S3Store::Counters() const {
  std::lock_guard lock(known_mu_);
  return StoreCounters{.entries = known_.size(), .bytes = known_bytes_};
}

}  // namespace stratacache::s3
