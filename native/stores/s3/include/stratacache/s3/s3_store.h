// The s3() tier: a core Store over an S3Client, so that every machine pointing at one bucket shares the entries.
//
// Layout: each entry is one object, `<prefix><32 hex digits of the key's digest>` (the digest covers the key's
// namespace), with user metadata
//   x-amz-meta-strata-key        the key's UTF-8 bytes in base64 (S3 metadata must be ASCII)
//   x-amz-meta-strata-namespace  the namespace likewise, when it is not the default one
//   x-amz-meta-strata-expires    the expiry instant in milliseconds since the Unix epoch, or "never"
//   x-amz-meta-strata-sha256     the value's SHA-256, in hex
// An object whose metadata names another key (a digest collision, an object this tier did not write) or whose
// expiry has passed is a miss. Every value read is checked against its SHA-256 (an object written before the
// digest was stored: against its ETag when that is an MD5, else it is a miss); a mismatch fails the Get with
// kCorrupt, which the tier chain reports and passes over. Get is GET (404: a miss), Has is HEAD, Put is PUT,
// Delete is HEAD then DELETE of an object that is this key's, Clear lists the prefix and deletes this tier's
// objects in batches.
//
// Concurrent Gets of one key share one request. A failure to reach S3 (connection, timeout, after the client's
// own retries) opens a circuit breaker: for `cooldown_ms` every operation fails at once with kUnavailable, which
// the tier chain passes over (the call that timed out itself fails with kTimeout); after it, requests go out
// again and the first success closes the breaker.
//
// Counters are what this process knows: objects it wrote or read and has not since seen deleted. Other
// machines' writes and objects that expired in the bucket are not counted. Sweep does nothing (S3 keeps expired
// objects until a read finds them expired, Clean removes them, or a bucket lifecycle rule does).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stratacache/cache_config.h"
#include "stratacache/clock.h"
#include "stratacache/s3/s3_client.h"
#include "stratacache/shared_reads.h"
#include "stratacache/store.h"

namespace stratacache::s3 {

struct S3StoreOptions {
  S3ClientOptions client;
  std::string bucket;
  std::string prefix;  // a '/' is added unless empty or already there
  uint64_t limit_bytes = 0;  // the largest value accepted (kTooLarge above it); 0 for no bound
  int64_t cooldown_ms = 30'000;
};

class S3Store final : public Store {
 public:
  // Resolves settings and starts the client; nothing is sent before Open.
  static std::unique_ptr<S3Store> Create(const S3StoreOptions& options, std::shared_ptr<const Clock> clock,
                                         Status* status);
  ~S3Store() override;

  // HeadBucket: kNotFound for a missing bucket, kAuth for refused credentials.
  void Open(Done done) override;
  void Get(const Key& key, GetDone done) override;
  void Has(const Key& key, FoundDone done) override;
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) override;
  void Delete(const Key& key, FoundDone done) override;
  void Clear(Done done) override;
  void Sweep() override {}
  bool remote() const override { return true; }
  // Completes every request in flight with kClosed.
  void Cancel() override { client_->CancelAll(); }
  // S3 evicts nothing by itself; what it reports is an entry a read found past its TTL ("expire", reason "read").
  void ReportRemovalsTo(const EventHub* hub, std::string tier) override;
  // Lists the prefix: removes this tier's objects last written more than max_age_ms ago, then the oldest until
  // the rest fit in max_bytes. Ages are the objects' Last-Modified times, as the bucket reports them.
  void Clean(const CleanOptions& options, CountDone done) override;
  StoreCounters Counters() const override;

  // The object an entry of `key` lives in.
  std::string ObjectName(const Key& key) const;

 private:
  S3Store(const S3StoreOptions& options, std::shared_ptr<const Clock> clock);

  // kUnavailable while the breaker is open, else Ok.
  Status CheckBreaker() const;
  // The core's status for a failed request; opens the breaker when S3 could not be reached.
  Status Fail(const S3Error& error);
  void Succeeded() { open_until_ms_.store(0, std::memory_order_relaxed); }
  // What an object's metadata says it holds for `key`: another key's entry, a live entry, or one past its TTL.
  enum class Holding { kOther, kLive, kExpired };
  Holding HoldingOf(const Key& key, const ObjectInfo& info) const;
  // A read found `key`'s entry past its TTL: an "expire" event. The object is left for a write of the key to
  // replace or clean() to remove: a delete could race a set of the key that follows the miss, and win.
  void ReportExpired(const Key& key) const;
  // Lists this tier's objects, then hands them to `then` on the client's thread.
  void ListOwn(std::function<void(Status, std::vector<ObjectSummary>)> then);
  // Deletes `names` in batches and forgets them.
  void DeleteNames(std::vector<std::string> names, CountDone done);

  void Remember(const std::string& name, uint64_t size);
  void Forget(const std::string& name);

  const std::string bucket_;
  const std::string prefix_;
  const uint64_t limit_bytes_;
  const int64_t cooldown_ms_;
  const std::shared_ptr<const Clock> clock_;
  std::atomic<int64_t> open_until_ms_{0};

  SharedReads reads_;  // Gets in flight
  std::atomic<const EventHub*> events_{nullptr};  // set once, before any request (see ReportRemovalsTo)
  std::string tier_name_;

  mutable std::mutex known_mu_;
  std::map<std::string, uint64_t> known_;  // object name -> size, of objects this process knows exist
  uint64_t known_bytes_ = 0;

  // Last, so that it goes first: its destructor completes what is in flight while the members above still live.
  std::unique_ptr<S3Client> client_;
};

// Settings as TypeScript flattens the s3() tier's options (and a workspace mount's: the same connection options).
using S3SettingsMap = std::map<std::string, std::string>;

// The client's part of the settings: region, endpoint, forcePathStyle, profile and
// credentials.accessKeyId/secretAccessKey/sessionToken; unset ones are left for ResolveSettings.
S3ClientOptions ClientOptionsFrom(const S3SettingsMap& settings);

// A store for a TierConfig of kind "s3", from its settings: bucket, prefix, region, endpoint, forcePathStyle,
// profile, cooldownMs, credentials.accessKeyId/secretAccessKey/sessionToken. Unset ones are resolved as the
// client resolves them (the environment, then the shared AWS files).
std::unique_ptr<Store> MakeS3Store(const TierConfig& tier, Status* status);

}  // namespace stratacache::s3
