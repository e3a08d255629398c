#include "stratacache/bytes.h"

#include <cstring>
#include <new>

namespace stratacache {

Bytes Bytes::Allocate(size_t size) {
  void* memory = ::operator new(kHeaderSize + size);
  auto* block = new (memory) Block{{1}, size};
  return Bytes(block);
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
