// BLAKE3, written from the specification (https://github.com/BLAKE3-team/BLAKE3-specs) as portable C++ (whole
// chunks four at a time, in loops compilers vectorise) so that the native addon and the WebAssembly build compute
// the same content digests. Covers all modes: hash, keyed hash, derive key, and extended output (XOF) readable from
// any offset.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stratacache {

using Blake3Digest = std::array<uint8_t, 32>;
using Blake3Key = std::array<uint8_t, 32>;

// An incremental hasher. Feed it with Update in pieces of any size; the result does not depend on how the input
// was split. Finalizing leaves the state untouched, so more input may follow and a later Finalize covers it all.
class Blake3 {
 public:
  // The input is split into 1024-byte chunks, each compressed in 64-byte blocks.
  static constexpr size_t kBlockLen = 64;
  static constexpr size_t kChunkLen = 1024;

  // A plain hash.
  Blake3();
  // A keyed hash (a MAC or PRF) under a 32-byte key.
  static Blake3 Keyed(const Blake3Key& key);
  // Derives keys from key material fed through Update. `context` should be a hardcoded, globally unique string
  // naming the application and purpose, such as "stratacache 2024-05-01 content digests v1".
  static Blake3 DeriveKeyFor(std::string_view context);

  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }

  // The default 32-byte output.
  Blake3Digest Finalize() const;
  // `size` bytes of the extended output starting `offset` bytes in. Any length and offset (below 2^64) is
  // valid; a shorter output is a prefix of a longer one, and the first 32 bytes are what Finalize returns.
  void FinalizeXof(uint8_t* out, size_t size, uint64_t offset = 0) const;

  // Forgets all input, keeping the mode and key.
  void Reset();

  // One-shot helpers.
  static Blake3Digest Hash(const void* data, size_t size);
  static Blake3Digest Hash(std::string_view text) { return Hash(text.data(), text.size()); }
  static Blake3Digest KeyedHash(const Blake3Key& key, const void* data, size_t size);
  static Blake3Digest DeriveKey(std::string_view context, const void* material, size_t size);

  // Lowercase hex, two characters per byte.
  static std::string ToHex(const void* data, size_t size);
  static std::string ToHex(const Blake3Digest& digest) { return ToHex(digest.data(), digest.size()); }

 private:
  using Words = std::array<uint32_t, 8>;
  // A compression not yet run: the last block of a chunk or a parent, kept back until it is known whether it is
  // the root, whose output is read through the XOF instead of being chained.
  struct Node;

  Blake3(const Words& key, uint32_t flags);

  void StartChunk(uint64_t counter);
  void CompressChunkBlock(const uint8_t* block);
  void PushChunk(Words cv);
  Node ChunkNode() const;
  Node RootNode() const;

  // Chunks hold 1024 bytes; the tree of 2^64 bytes at most is 54 levels deep.
  static constexpr size_t kMaxDepth = 54;

  Words key_;
  uint32_t flags_;

  // The chunk being filled. Its final block stays in block_ until more input shows it is not the last one.
  Words chunk_cv_;
  uint64_t chunk_counter_;
  std::array<uint8_t, kBlockLen> block_;
  uint8_t block_len_;
  uint8_t blocks_compressed_;

  // Chaining values of the completed subtrees left of the current chunk, one per set bit of chunk_counter_,
  // largest first. Entries from cv_stack_len_ on are never read, so they are left uninitialised.
  std::array<Words, kMaxDepth> cv_stack_;
  uint8_t cv_stack_len_;
};

}  // namespace stratacache
