// Wall-clock time in milliseconds since the Unix epoch. Expiry times are absolute wall-clock instants so that
// they keep their meaning in persistent tiers across restarts and across processes.
#pragma once

#include <cstdint>
#include <limits>

namespace stratacache {

// An expiry instant that never comes.
inline constexpr int64_t kNeverExpires = std::numeric_limits<int64_t>::max();

// An expiry instant as JavaScript counts time: milliseconds as a double, infinity for never.
inline double ExpiryAsDouble(int64_t expires_at_ms) {
  return expires_at_ms == kNeverExpires ? std::numeric_limits<double>::infinity() : static_cast<double>(expires_at_ms);
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
};

}  // namespace stratacache
