// Immutable, reference-counted bytes in a single allocation. A value is shared by the store that holds it and by
// every reader (including JavaScript, which may borrow it without a copy), so eviction drops the store's
// reference but never frees bytes a reader still uses.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace stratacache {

class Bytes {
 public:
  Bytes() = default;
  Bytes(const Bytes& other) : block_(other.block_) { Ref(block_); }
  Bytes(Bytes&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  Bytes& operator=(Bytes other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~Bytes() { Unref(block_); }

  // A copy of `size` bytes at `data`.
  static Bytes Copy(const void* data, size_t size);
  static Bytes Copy(std::string_view text) { return Copy(text.data(), text.size()); }
  // Uninitialised bytes for the caller to fill through mutable_data() before sharing them. For sizes the caller
  // has bounded; running out of memory ends the process, as for any allocation.
  static Bytes Allocate(size_t size);
  // The same for sizes from outside (a Content-Length, a file's size): nullopt when `size` cannot be allocated.
  static std::optional<Bytes> TryAllocate(size_t size);

  bool empty() const { return size() == 0; }
  size_t size() const { return block_ ? block_->size : 0; }
  const uint8_t* data() const { return block_ ? Payload(block_) : nullptr; }
  uint8_t* mutable_data() { return block_ ? Payload(block_) : nullptr; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data()), size()}; }

  // Bytes of bookkeeping each value carries beyond its payload.
  static constexpr size_t kHeaderSize = 16;

  // Hands one reference to a foreign owner (a JavaScript buffer); it must come back through ReleaseBorrowed.
  void* Lend() const {
    Ref(block_);
    return block_;
  }
  static void ReleaseBorrowed(void* token) { Unref(static_cast<Block*>(token)); }

 private:
  struct Block {
    std::atomic<uint32_t> refs;
    size_t size;
  };
  static_assert(sizeof(Block) <= kHeaderSize);

  explicit Bytes(Block* block) : block_(block) {}
  static uint8_t* Payload(Block* block) { return reinterpret_cast<uint8_t*>(block) + kHeaderSize; }
  static void Ref(Block* block) {
    if (block) block->refs.fetch_add(1, std::memory_order_relaxed);
  }
  static void Unref(Block* block);

  Block* block_ = nullptr;
};

}  // namespace stratacache
