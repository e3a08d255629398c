#include "stratacache/bytes.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace stratacache {

std::optional<Bytes> Bytes::TryAllocate(size_t size) {
  if (size > std::numeric_limits<size_t>::max() - kHeaderSize) return std::nullopt;
  void* memory = ::operator new(kHeaderSize + size, std::nothrow);
  if (memory == nullptr) return std::nullopt;
  return Bytes(new (memory) Block{{1}, size});
}

Bytes Bytes::Allocate(size_t size) {
  std::optional<Bytes> bytes = TryAllocate(size);
  if (!bytes) std::abort();
  return std::move(*bytes);
}

Bytes Bytes::Copy(const void* data, size_t size) {
  Bytes bytes = Allocate(size);
  if (size > 0) std::memcpy(bytes.mutable_data(), data, size);
  return bytes;
}

void Bytes::Unref(Block* block) {
  if (block == nullptr || block->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  block->~Block();
  ::operator delete(block);
}

}  // namespace stratacache
