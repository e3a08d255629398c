// Cache keys. Each key is hashed (with its namespace) to a 128-bit digest used for sharding, file placement and
// object names. The key text is kept beside the digest so that a digest collision is detected, never served.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace stratacache {

struct Digest {
  uint64_t high = 0;
  uint64_t low = 0;

  friend bool operator==(const Digest& a, const Digest& b) { return a.high == b.high && a.low == b.low; }

  // 32 lowercase hex characters, high word first.
  std::string ToHex() const;
};

struct DigestHash {
  size_t operator()(const Digest& d) const { return static_cast<size_t>(d.low ^ (d.high * 0x9e3779b97f4a7c15ULL)); }
};

// The longest key accepted, in UTF-8 bytes.
inline constexpr size_t kMaxKeyBytes = 1024;

class Key {
 public:
  // `ns` separates namespaces sharing the same tiers; the empty namespace is the default one.
  Key(std::string_view ns, std::string_view text);
  explicit Key(std::string_view text) : Key(std::string_view(), text) {}

  const std::string& text() const { return text_; }
  const std::string& ns() const { return ns_; }
  const Digest& digest() const { return digest_; }

 private:
  std::string ns_;
  std::string text_;
  Digest digest_;
};

}  // namespace stratacache
