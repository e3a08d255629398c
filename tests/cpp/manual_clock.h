// A clock the test moves by hand, so TTL behaviour is checked without sleeping.
#pragma once

#include <atomic>

#include "stratacache/clock.h"

namespace stratacache::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t NowMs() const override { return now_.load(); }
  void Advance(int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace stratacache::testing
