#include "stratacache/http_tier_store.h"

namespace stratacache {

namespace {

Status ReadOnly() {
  return Status(StatusCode::kInvalidArg, "the http tier is read-only: writes go to the tiers above it", false);
}

// (401 and 403 are kIo, not retryable: kAuth's ERR_S3_AUTH would point at the wrong service.)
StatusCode CodeOf(int status) {
  if (status == 408 || status == 504) return StatusCode::kTimeout;
  if (status == 429 || status == 502 || status == 503) return StatusCode::kUnavailable;
  return StatusCode::kIo;
}

}  // namespace

Status ReadOutcome(const HttpTierStore::Reply& reply, const std::string& method, const std::string& url, bool* found) {
  *found = false;
  if (!reply.transport.ok()) {
    return Status(reply.transport.code(), method + " " + url + ": " + reply.transport.message(),
                  reply.transport.retryable());
  }
  if (reply.status >= 200 && reply.status < 300) {
    *found = true;
    return Status::Ok();
  }
  if (reply.status == 404 || reply.status == 410) return Status::Ok();
  const bool retryable = reply.status >= 500 || reply.status == 408 || reply.status == 429;
  return Status(CodeOf(reply.status), method + " " + url + ": HTTP " + std::to_string(reply.status), retryable);
}

std::string HttpTierStore::UrlOf(const Key& key) const { return base_url_ + "/" + key.digest().ToHex(); }

void HttpTierStore::Get(const Key& key, GetDone done) {
  if (!reads_->Join(key, std::move(done))) return;  // the request already on its way answers this caller too
  std::string url = UrlOf(key);
  Send("GET", url, [reads = reads_, key, url](Reply reply) {
    bool found = false;
    Status status = ReadOutcome(reply, "GET", url, &found);
    reads->Finish(key, status, found ? std::optional<Hit>(Hit{std::move(reply.body), kNeverExpires}) : std::nullopt);
  });
}

void HttpTierStore::Has(const Key& key, FoundDone done) {
  std::string url = UrlOf(key);
  Send("HEAD", url, [url, done = std::move(done)](Reply reply) {
    bool found = false;
    Status status = ReadOutcome(reply, "HEAD", url, &found);
    done(status, found);
  });
}

void HttpTierStore::Put(const Key&, Bytes, int64_t, Done done) { done(ReadOnly()); }

void HttpTierStore::Delete(const Key&, FoundDone done) { done(ReadOnly(), false); }

void HttpTierStore::Clear(Done done) { done(ReadOnly()); }

}  // namespace stratacache
