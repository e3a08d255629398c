// The http() tier's rules, the same in both builds: a read-only store of pre-built artefacts served over HTTP by
// key digest. Get is GET <base_url>/<32 hex digits of the key's digest> (the name the s3() tier gives an object):
// 2xx is the value, 404 and 410 a miss, anything else a failure, which the tier chain reports as an error event
// and passes over as a miss; concurrent Gets of one key share one request. Has is HEAD. The tier chain sends it no write (see Store::read_only); called anyway,
// writes fail with kInvalidArg and send nothing.
//
// Builds only move the bytes, by implementing Send: libcurl in the Node build, fetch in the WebAssembly build.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "stratacache/clock.h"
#include "stratacache/shared_reads.h"
#include "stratacache/store.h"

namespace stratacache {

class HttpTierStore : public Store {
 public:
  // What came back for one request. `transport` is not ok when no response did (refused, timed out, aborted).
  struct Reply {
    Status transport;
    int status = 0;
    Bytes body;
  };
  using ReplyDone = std::function<void(Reply)>;

  // `base_url`: http(s)://host[:port][/path], without a trailing '/' (TypeScript checked it).
  explicit HttpTierStore(std::string base_url) : base_url_(std::move(base_url)) {}

  bool read_only() const final { return true; }
  bool remote() const final { return true; }
  void Get(const Key& key, GetDone done) final;
  void Has(const Key& key, FoundDone done) final;
  // Nothing is kept here, so nothing expires or counts.
  StoreCounters Counters() const final { return {}; }
  void Sweep() final {}
  // Fail with kInvalidArg and send nothing; the tier chain never calls them.
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) final;
  void Delete(const Key& key, FoundDone done) final;
  void Clear(Done done) final;

  // Where the entry of `key` is read from.
  std::string UrlOf(const Key& key) const;

 protected:
  // Sends a bodiless request ("GET" or "HEAD") for `url`; `done` runs exactly once, on any thread, and may run
  // after the store is gone, so it must not need the store.
  virtual void Send(const std::string& method, const std::string& url, ReplyDone done) = 0;

 private:
  const std::string base_url_;
  // Shared with the replies, which may come after the store is gone.
  const std::shared_ptr<SharedReads> reads_ = std::make_shared<SharedReads>();
};

// What a reply means for a read of `url`: a found value (true), a miss (false), or the failure to report.
// Messages name the URL, never a request header (which may hold a token).
Status ReadOutcome(const HttpTierStore::Reply& reply, const std::string& method, const std::string& url, bool* found);

}  // namespace stratacache
