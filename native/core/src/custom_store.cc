#include "stratacache/custom_store.h"

#include <algorithm>
#include <cstring>

namespace stratacache {

namespace {

// A frame: magic, expiry (little-endian int64 ms since the epoch; kNeverExpires for none), the namespace's and
// the key's lengths (little-endian uint32), the namespace, the key, then the value.
constexpr char kMagic[4] = {'S', 'C', 'E', '1'};
constexpr size_t kFixedBytes = sizeof(kMagic) + 8 + 4 + 4;

void PutLittleEndian(uint8_t* out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t GetLittleEndian(const uint8_t* in, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

Status Failed(CustomStore::Method method, const Status& status) {
  return Status(status.code(), std::string(CustomMethodName(method)) + " failed: " + status.message(),
                status.retryable());
}

}  // namespace

const char* CustomMethodName(CustomStore::Method method) {
  switch (method) {
    case CustomStore::Method::kGet: return "get";
    case CustomStore::Method::kSet: return "set";
    case CustomStore::Method::kDelete: return "delete";
    case CustomStore::Method::kHas: return "has";
    case CustomStore::Method::kClear: return "clear";
  }
  return "?";
}

Bytes EncodeCustomEntry(const Key& key, const Bytes& value, int64_t expires_at_ms) {
  const std::string& ns = key.ns();
  const std::string& text = key.text();
  Bytes frame = Bytes::Allocate(kFixedBytes + ns.size() + text.size() + value.size());
  uint8_t* out = frame.mutable_data();
  std::memcpy(out, kMagic, sizeof(kMagic));
  PutLittleEndian(out + 4, static_cast<uint64_t>(expires_at_ms), 8);
  PutLittleEndian(out + 12, ns.size(), 4);
  PutLittleEndian(out + 16, text.size(), 4);
  out += kFixedBytes;
  if (!ns.empty()) std::memcpy(out, ns.data(), ns.size());
  if (!text.empty()) std::memcpy(out + ns.size(), text.data(), text.size());
  if (!value.empty()) std::memcpy(out + ns.size() + text.size(), value.data(), value.size());
  return frame;
}

std::optional<Hit> DecodeCustomEntry(const Key& key, const Bytes& frame) {
  const uint8_t* in = frame.data();
  if (frame.size() < kFixedBytes || std::memcmp(in, kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  const auto expires_at_ms = static_cast<int64_t>(GetLittleEndian(in + 4, 8));
  const uint64_t ns_size = GetLittleEndian(in + 12, 4);
  const uint64_t text_size = GetLittleEndian(in + 16, 4);
  if (ns_size != key.ns().size() || text_size != key.text().size()) return std::nullopt;
  if (frame.size() < kFixedBytes + ns_size + text_size) return std::nullopt;
  const std::string_view stored = frame.view().substr(kFixedBytes, ns_size + text_size);
  if (stored.substr(0, ns_size) != key.ns() || stored.substr(ns_size) != key.text()) return std::nullopt;
  const size_t value_at = kFixedBytes + ns_size + text_size;
  return Hit{Bytes::Copy(in + value_at, frame.size() - value_at), expires_at_ms};
}

std::pair<Status, std::optional<Hit>> CustomStore::ReadAnswer(const Key& key, Reply reply, int64_t now_ms) {
  if (!reply.status.ok()) return {Failed(Method::kGet, reply.status), std::nullopt};
  if (!reply.value) return {Status::Ok(), std::nullopt};
  std::optional<Hit> hit = DecodeCustomEntry(key, *reply.value);
  if (!hit) return {Status(StatusCode::kCorrupt, "get: the stored bytes are not this key's entry"), std::nullopt};
  if (hit->expires_at_ms <= now_ms) hit.reset();
  return {Status::Ok(), std::move(hit)};
}

void CustomStore::Get(const Key& key, GetDone done) {
  Send(Call{Method::kGet, key.digest().ToHex(), {}, std::nullopt},
       [clock = clock_, key, done = std::move(done)](Reply reply) {
         auto [status, hit] = ReadAnswer(key, std::move(reply), clock->NowMs());
         done(std::move(status), std::move(hit));
       });
}

void CustomStore::Has(const Key& key, FoundDone done) {
  if (!driver_has_) {
    return Get(key, [done = std::move(done)](Status status, std::optional<Hit> hit) {
      done(status, hit.has_value());
    });
  }
  Send(Call{Method::kHas, key.digest().ToHex(), {}, std::nullopt}, [done = std::move(done)](Reply reply) {
    done(reply.status.ok() ? Status::Ok() : Failed(Method::kHas, reply.status), reply.found);
  });
}

void CustomStore::Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) {
  std::optional<int64_t> ttl_ms;
  // At least 1 ms: an entry already past its expiry (kept for stale reads) is still a miss, by its frame.
  if (expires_at_ms != kNeverExpires) ttl_ms = std::max<int64_t>(1, expires_at_ms - clock_->NowMs());
  Send(Call{Method::kSet, key.digest().ToHex(), EncodeCustomEntry(key, value, expires_at_ms), ttl_ms},
       [done = std::move(done)](Reply reply) {
         done(reply.status.ok() ? Status::Ok() : Failed(Method::kSet, reply.status));
       });
}

void CustomStore::Delete(const Key& key, FoundDone done) {
  Send(Call{Method::kDelete, key.digest().ToHex(), {}, std::nullopt}, [done = std::move(done)](Reply reply) {
    done(reply.status.ok() ? Status::Ok() : Failed(Method::kDelete, reply.status), reply.found);
  });
}

void CustomStore::Clear(Done done) {
  Send(Call{Method::kClear, {}, {}, std::nullopt}, [done = std::move(done)](Reply reply) {
    done(reply.status.ok() ? Status::Ok() : Failed(Method::kClear, reply.status));
  });
}

}  // namespace stratacache
