// Time-to-live as a caller states it: unstated (fall back to the next rule), no expiry, or a duration.
#pragma once

#include <cstdint>

#include "stratacache/clock.h"

namespace stratacache {

class Ttl {
 public:
  Ttl() = default;  // unset
  static Ttl Unset() { return Ttl(Kind::kUnset, 0); }
  static Ttl Never() { return Ttl(Kind::kNever, 0); }
  static Ttl Millis(int64_t ms) { return Ttl(Kind::kMillis, ms); }

  bool is_set() const { return kind_ != Kind::kUnset; }
  // This TTL if it is set, otherwise `fallback`.
  Ttl Or(Ttl fallback) const { return is_set() ? *this : fallback; }
  // The absolute expiry instant for an entry written at `now_ms`; an unset TTL never expires.
  int64_t ExpiresAt(int64_t now_ms) const;

  friend bool operator==(const Ttl& a, const Ttl& b) { return a.kind_ == b.kind_ && a.ms_ == b.ms_; }

 private:
  enum class Kind { kUnset, kNever, kMillis };
  Ttl(Kind kind, int64_t ms) : kind_(kind), ms_(ms) {}

  Kind kind_ = Kind::kUnset;
  int64_t ms_ = 0;
};

}  // namespace stratacache
