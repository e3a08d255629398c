// Change counters: one per stripe of key digests, bumped whenever an inline (RAM) tier writes or removes an entry
// of that stripe. A reader that finds a stripe's counter where it was knows that no entry of the stripe changed
// meanwhile, which lets a JavaScript-side copy of a hot value be served without a call into the core (getSync),
// and dropped as soon as the entry is rewritten, deleted, evicted or expires.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "stratacache/key.h"

namespace stratacache {

class ChangeCounters {
 public:
  static constexpr size_t kStripes = 4096;  // a power of two: a stripe is the digest's low bits

  static size_t StripeOf(const Digest& digest) { return static_cast<size_t>(digest.low) & (kStripes - 1); }

  // After the change is visible to readers (called with the store's lock held, or after it).
  void Bump(const Digest& digest) { counters_[StripeOf(digest)].fetch_add(1, std::memory_order_release); }
  void BumpAll() {
    for (auto& counter : counters_) counter.fetch_add(1, std::memory_order_release);
  }
  uint32_t Read(size_t stripe) const { return counters_[stripe].load(std::memory_order_acquire); }

  // The counters as plain 32-bit words, for JavaScript to read in place (a Uint32Array over this memory).
  const uint32_t* words() const { return reinterpret_cast<const uint32_t*>(counters_.data()); }
  static constexpr size_t size_bytes() { return kStripes * sizeof(uint32_t); }

 private:
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) && std::atomic<uint32_t>::is_always_lock_free,
                "JavaScript reads the counters as plain 32-bit words");
  std::array<std::atomic<uint32_t>, kStripes> counters_{};
};

}  // namespace stratacache
