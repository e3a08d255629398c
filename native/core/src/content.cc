#include "stratacache/content.h"

#include <algorithm>
#include <utility>

#include "stratacache/blake3.h"

namespace stratacache {

std::string ContentDigest(const void* data, size_t size) { return Blake3::ToHex(Blake3::Hash(data, size)); }

Status CheckContentDigest(std::string_view digest) {
  const bool hex = std::all_of(digest.begin(), digest.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (digest.size() != 64 || !hex) {
    return Status(StatusCode::kInvalidArg, "a content digest is 64 lowercase hex characters (BLAKE3-256)");
  }
  return Status::Ok();
}

Key ContentKey(std::string_view digest) { return Key(kContentNamespace, digest); }

void PutContent(const std::shared_ptr<TierChain>& chain, Bytes value, const WriteOptions& write, DigestDone done) {
  std::string digest = ContentDigest(value.data(), value.size());
  Key key = ContentKey(digest);
  // A lookup first: content already stored (perhaps in S3) need not be sent again.
  chain->Has(key, [chain, key, digest = std::move(digest), value = std::move(value), write, done = std::move(done)](
                      Status status, bool found) mutable {
    if (status.ok() && found) return done(Status::Ok(), std::move(digest));
    chain->Set(key, std::move(value), write, [digest = std::move(digest), done = std::move(done)](Status status) {
      done(status, status.ok() ? digest : std::string());
    });
  });
}

}  // namespace stratacache
