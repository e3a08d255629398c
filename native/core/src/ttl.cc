#include "stratacache/ttl.h"

namespace stratacache {

int64_t Ttl::ExpiresAt(int64_t now_ms) const {
  if (kind_ != Kind::kMillis) return kNeverExpires;
  // Durations so long that the instant would overflow mean "never" in practice.
  if (ms_ >= kNeverExpires - now_ms) return kNeverExpires;
  return now_ms + ms_;
}

}  // namespace stratacache
