#include "stratacache/blake3.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace stratacache {

namespace {

constexpr std::array<uint32_t, 8> kIv = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                         0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

// Domain separation flags.
constexpr uint32_t kChunkStart = 1 << 0;
constexpr uint32_t kChunkEnd = 1 << 1;
constexpr uint32_t kParent = 1 << 2;
constexpr uint32_t kRoot = 1 << 3;
constexpr uint32_t kKeyedHash = 1 << 4;
constexpr uint32_t kDeriveKeyContext = 1 << 5;
constexpr uint32_t kDeriveKeyMaterial = 1 << 6;

constexpr size_t kBlocksPerChunk = Blake3::kChunkLen / Blake3::kBlockLen;

// The message word order of each of the seven rounds: the spec permutes the message between rounds; applying the
// permutation at compile time lets every round read the block in place, with constant indices.
using Schedule = std::array<std::array<uint8_t, 16>, 7>;
constexpr Schedule MakeSchedule() {
  constexpr std::array<uint8_t, 16> kPermutation = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
  Schedule schedule{};
  for (uint8_t i = 0; i < 16; ++i) schedule[0][i] = i;
  for (size_t r = 1; r < schedule.size(); ++r) {
    for (size_t i = 0; i < 16; ++i) schedule[r][i] = schedule[r - 1][kPermutation[i]];
  }
  return schedule;
}
constexpr Schedule kSchedule = MakeSchedule();

// Byte-wise little-endian access: correct on any host, and compilers turn it into single loads and stores on
// little-endian targets (x86-64, wasm32).
inline uint32_t Load32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

inline void Store32(uint8_t* p, uint32_t w) {
  p[0] = static_cast<uint8_t>(w);
  p[1] = static_cast<uint8_t>(w >> 8);
  p[2] = static_cast<uint8_t>(w >> 16);
  p[3] = static_cast<uint8_t>(w >> 24);
}

template <size_t N>
inline void LoadWords(const uint8_t* bytes, std::array<uint32_t, N>& words) {
  for (size_t i = 0; i < N; ++i) words[i] = Load32(bytes + 4 * i);
}

using Block = std::array<uint32_t, 16>;

inline void G(uint32_t* v, size_t a, size_t b, size_t c, size_t d, uint32_t x, uint32_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = std::rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + y;
  v[d] = std::rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 7);
}

// Several whole chunks at once, one per lane: every step below is a loop over the lanes, which compilers turn into
// SIMD instructions where the target has them (SSE2 on any x86-64) and plain scalar code elsewhere (wasm32).
constexpr size_t kLanes = 4;
using Lanes = std::array<uint32_t, kLanes>;

inline void G(Lanes* v, size_t a, size_t b, size_t c, size_t d, const Lanes& x, const Lanes& y) {
  for (size_t l = 0; l < kLanes; ++l) v[a][l] = v[a][l] + v[b][l] + x[l];
  for (size_t l = 0; l < kLanes; ++l) v[d][l] = std::rotr(v[d][l] ^ v[a][l], 16);
  for (size_t l = 0; l < kLanes; ++l) v[c][l] = v[c][l] + v[d][l];
  for (size_t l = 0; l < kLanes; ++l) v[b][l] = std::rotr(v[b][l] ^ v[c][l], 12);
  for (size_t l = 0; l < kLanes; ++l) v[a][l] = v[a][l] + v[b][l] + y[l];
  for (size_t l = 0; l < kLanes; ++l) v[d][l] = std::rotr(v[d][l] ^ v[a][l], 8);
  for (size_t l = 0; l < kLanes; ++l) v[c][l] = v[c][l] + v[d][l];
  for (size_t l = 0; l < kLanes; ++l) v[b][l] = std::rotr(v[b][l] ^ v[c][l], 7);
}

// The round number is a template argument so that each round's message indices are constants once inlined. A word
// is a uint32_t, or Lanes for several chunks at once.
template <size_t R, class Word, class Message>
inline void Round(Word* v, const Message& m) {
  constexpr const std::array<uint8_t, 16>& s = kSchedule[R];
  // Columns, then diagonals.
  G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
  G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
  G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

template <class Word, class Message>
inline void Rounds(Word* v, const Message& m) {
  Round<0>(v, m);
  Round<1>(v, m);
  Round<2>(v, m);
  Round<3>(v, m);
  Round<4>(v, m);
  Round<5>(v, m);
  Round<6>(v, m);
}

// The compression function up to, not including, the final feed-forward, which differs between chaining
// (8 words out) and extended output (16 words out).
inline void CompressState(const std::array<uint32_t, 8>& cv, const Block& m, uint64_t counter, uint32_t block_len,
                          uint32_t flags, uint32_t* v) {
  for (size_t i = 0; i < 8; ++i) v[i] = cv[i];
  for (size_t i = 0; i < 4; ++i) v[8 + i] = kIv[i];
  v[12] = static_cast<uint32_t>(counter);
  v[13] = static_cast<uint32_t>(counter >> 32);
  v[14] = block_len;
  v[15] = flags;
  Rounds(v, m);
}

inline void CompressInPlace(std::array<uint32_t, 8>& cv, const Block& m, uint64_t counter, uint32_t block_len,
                            uint32_t flags) {
  uint32_t v[16];
  CompressState(cv, m, counter, block_len, flags, v);
  for (size_t i = 0; i < 8; ++i) cv[i] = v[i] ^ v[i + 8];
}

// The chaining values of kLanes whole chunks that follow one another from `in`, the first numbered `counter`.
void HashChunkLanes(const std::array<uint32_t, 8>& key, uint32_t flags, const uint8_t* in, uint64_t counter,
                    std::array<std::array<uint32_t, 8>, kLanes>& out) {
  Lanes cv[8];
  for (size_t i = 0; i < 8; ++i) cv[i].fill(key[i]);
  for (size_t block = 0; block < kBlocksPerChunk; ++block) {
    Lanes m[16];
    for (size_t l = 0; l < kLanes; ++l) {
      const uint8_t* bytes = in + l * Blake3::kChunkLen + block * Blake3::kBlockLen;
      for (size_t i = 0; i < 16; ++i) m[i][l] = Load32(bytes + 4 * i);
    }
    const uint32_t block_flags =
        flags | (block == 0 ? kChunkStart : 0) | (block == kBlocksPerChunk - 1 ? kChunkEnd : 0);
    Lanes v[16];
    for (size_t i = 0; i < 8; ++i) v[i] = cv[i];
    for (size_t i = 0; i < 4; ++i) v[8 + i].fill(kIv[i]);
    for (size_t l = 0; l < kLanes; ++l) {
      v[12][l] = static_cast<uint32_t>(counter + l);
      v[13][l] = static_cast<uint32_t>((counter + l) >> 32);
    }
    v[14].fill(Blake3::kBlockLen);
    v[15].fill(block_flags);
    Rounds(v, m);
    for (size_t i = 0; i < 8; ++i) {
      for (size_t l = 0; l < kLanes; ++l) cv[i][l] = v[i][l] ^ v[i + 8][l];
    }
  }
  for (size_t l = 0; l < kLanes; ++l) {
    for (size_t i = 0; i < 8; ++i) out[l][i] = cv[i][l];
  }
}

}  // namespace

struct Blake3::Node {
  Words cv;
  Block block;
  uint64_t counter;
  uint32_t block_len;
  uint32_t flags;

  static Node Parent(const Words& left, const Words& right, const Words& key, uint32_t flags) {
    Node node{key, {}, 0, kBlockLen, flags | kParent};
    std::copy(left.begin(), left.end(), node.block.begin());
    std::copy(right.begin(), right.end(), node.block.begin() + 8);
    return node;
  }

  Words ChainingValue() const {
    Words out = cv;
    CompressInPlace(out, block, counter, block_len, flags);
    return out;
  }

  // Each output block is one more compression of the root node with the counter advanced.
  void RootOutput(uint8_t* out, size_t size, uint64_t offset) const {
    uint64_t block_counter = offset / kBlockLen;
    size_t skip = offset % kBlockLen;
    while (size > 0) {
      uint32_t v[16];
      CompressState(cv, block, block_counter, block_len, flags | kRoot, v);
      uint8_t bytes[kBlockLen];
      for (size_t i = 0; i < 8; ++i) {
        Store32(bytes + 4 * i, v[i] ^ v[i + 8]);
        Store32(bytes + 32 + 4 * i, v[i + 8] ^ cv[i]);
      }
      size_t n = std::min(kBlockLen - skip, size);
      std::memcpy(out, bytes + skip, n);
      out += n;
      size -= n;
      skip = 0;
      ++block_counter;
    }
  }
};

Blake3::Blake3() : Blake3(kIv, 0) {}

Blake3::Blake3(const Words& key, uint32_t flags) : key_(key), flags_(flags), cv_stack_len_(0) { StartChunk(0); }

Blake3 Blake3::Keyed(const Blake3Key& key) {
  Words words;
  LoadWords(key.data(), words);
  return Blake3(words, kKeyedHash);
}

Blake3 Blake3::DeriveKeyFor(std::string_view context) {
  Blake3 context_hasher(kIv, kDeriveKeyContext);
  context_hasher.Update(context);
  Words context_key;
  LoadWords(context_hasher.Finalize().data(), context_key);
  return Blake3(context_key, kDeriveKeyMaterial);
}

void Blake3::Reset() {
  cv_stack_len_ = 0;
  StartChunk(0);
}

void Blake3::StartChunk(uint64_t counter) {
  chunk_cv_ = key_;
  chunk_counter_ = counter;
  block_len_ = 0;
  blocks_compressed_ = 0;
}

void Blake3::CompressChunkBlock(const uint8_t* block) {
  Block m;
  LoadWords(block, m);
  CompressInPlace(chunk_cv_, m, chunk_counter_, kBlockLen, flags_ | (blocks_compressed_ == 0 ? kChunkStart : 0));
  ++blocks_compressed_;
}

void Blake3::Update(const void* data, size_t size) {
  const auto* in = static_cast<const uint8_t*>(data);
  while (size > 0) {
    // A full buffered block is compressed only now that more input is known to follow it.
    if (block_len_ == kBlockLen) {
      if (blocks_compressed_ == kBlocksPerChunk - 1) {
        PushChunk(ChunkNode().ChainingValue());
        StartChunk(chunk_counter_ + 1);
      } else {
        CompressChunkBlock(block_.data());
        block_len_ = 0;
      }
    }
    // Whole chunks, when more input follows them, are hashed kLanes at a time straight from the caller's buffer.
    while (block_len_ == 0 && blocks_compressed_ == 0 && size > kLanes * kChunkLen) {
      std::array<Words, kLanes> cvs;
      HashChunkLanes(key_, flags_, in, chunk_counter_, cvs);
      for (const Words& cv : cvs) {
        PushChunk(cv);
        StartChunk(chunk_counter_ + 1);
      }
      in += kLanes * kChunkLen;
      size -= kLanes * kChunkLen;
    }
    // Whole blocks that are neither the last of the input nor the last of their chunk are compressed straight
    // from the caller's buffer, without a copy.
    while (block_len_ == 0 && size > kBlockLen && blocks_compressed_ < kBlocksPerChunk - 1) {
      CompressChunkBlock(in);
      in += kBlockLen;
      size -= kBlockLen;
    }
    size_t take = std::min(kBlockLen - block_len_, size);
    std::memcpy(block_.data() + block_len_, in, take);
    block_len_ += static_cast<uint8_t>(take);
    in += take;
    size -= take;
  }
}

// Adds the chaining value of the chunk just completed. Each trailing zero bit of the new chunk count marks a
// subtree this chunk completes; it is merged with its left sibling at once. None of these merges can be the root,
// since a chunk is only pushed when more input follows it.
void Blake3::PushChunk(Words cv) {
  for (uint64_t chunks = chunk_counter_ + 1; (chunks & 1) == 0; chunks >>= 1) {
    cv = Node::Parent(cv_stack_[--cv_stack_len_], cv, key_, flags_).ChainingValue();
  }
  cv_stack_[cv_stack_len_++] = cv;
}

Blake3::Node Blake3::ChunkNode() const {
  uint8_t padded[kBlockLen] = {};
  std::memcpy(padded, block_.data(), block_len_);
  Node node{chunk_cv_, {}, chunk_counter_, block_len_, flags_ | kChunkEnd};
  if (blocks_compressed_ == 0) node.flags |= kChunkStart;
  LoadWords(padded, node.block);
  return node;
}

// The current chunk, then the stacked subtrees from the right, fold into the root.
Blake3::Node Blake3::RootNode() const {
  Node node = ChunkNode();
  for (size_t i = cv_stack_len_; i-- > 0;) node = Node::Parent(cv_stack_[i], node.ChainingValue(), key_, flags_);
  return node;
}

Blake3Digest Blake3::Finalize() const {
  Blake3Digest digest;
  RootNode().RootOutput(digest.data(), digest.size(), 0);
  return digest;
}

void Blake3::FinalizeXof(uint8_t* out, size_t size, uint64_t offset) const { RootNode().RootOutput(out, size, offset); }

Blake3Digest Blake3::Hash(const void* data, size_t size) {
  Blake3 hasher;
  hasher.Update(data, size);
  return hasher.Finalize();
}

Blake3Digest Blake3::KeyedHash(const Blake3Key& key, const void* data, size_t size) {
  Blake3 hasher = Keyed(key);
  hasher.Update(data, size);
  return hasher.Finalize();
}

Blake3Digest Blake3::DeriveKey(std::string_view context, const void* material, size_t size) {
  Blake3 hasher = DeriveKeyFor(context);
  hasher.Update(material, size);
  return hasher.Finalize();
}

std::string Blake3::ToHex(const void* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* bytes = static_cast<const uint8_t*>(data);
  std::string out(2 * size, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace stratacache
