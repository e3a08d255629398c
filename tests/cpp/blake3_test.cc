#include "stratacache/blake3.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace stratacache {
namespace {

// The official vectors fill each input with the repeating byte sequence 0, 1, ..., 250.
std::vector<uint8_t> TestInput(size_t size) {
  std::vector<uint8_t> input(size);
  for (size_t i = 0; i < size; ++i) input[i] = static_cast<uint8_t>(i % 251);
  return input;
}

std::string XofHex(const Blake3& hasher, size_t size, uint64_t offset = 0) {
  std::vector<uint8_t> out(size);
  hasher.FinalizeXof(out.data(), out.size(), offset);
  return Blake3::ToHex(out.data(), out.size());
}

Blake3Key KeyFromText(std::string_view text) {
  Blake3Key key{};
  std::copy_n(text.begin(), std::min(text.size(), key.size()), key.begin());
  return key;
}

// The vector file is flat JSON whose values are unescaped strings and integers, so a field is read by name
// without a JSON library: the value after `"name":` up to the closing quote, or up to the next delimiter.
std::optional<std::string> Field(std::string_view json, std::string_view name) {
  std::string quoted = "\"" + std::string(name) + "\"";
  size_t pos = json.find(quoted);
  if (pos == std::string_view::npos) return std::nullopt;
  pos = json.find_first_not_of(" \t\r\n", pos + quoted.size());
  if (pos == std::string_view::npos || json[pos] != ':') return std::nullopt;
  pos = json.find_first_not_of(" \t\r\n", pos + 1);
  if (pos == std::string_view::npos) return std::nullopt;
  if (json[pos] == '"') {
    size_t end = json.find('"', pos + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(json.substr(pos + 1, end - pos - 1));
  }
  size_t end = json.find_first_of(",}] \t\r\n", pos);
  return std::string(json.substr(pos, end - pos));
}

struct VectorCase {
  size_t input_len;
  std::string hash;
  std::string keyed_hash;
  std::string derive_key;
};

struct Vectors {
  std::string key;
  std::string context;
  std::vector<VectorCase> cases;
};

std::optional<Vectors> LoadVectors(std::string* error) {
  std::string path = std::string(STRATA_TESTDATA_DIR) + "/blake3_test_vectors.json";
  std::ifstream file(path);
  if (!file) {
    *error = "cannot open " + path;
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string json = buffer.str();

  // The header fields come before "cases"; each case runs from its "input_len" to the next one.
  size_t cases_at = json.find("\"cases\"");
  auto key = Field(std::string_view(json).substr(0, cases_at), "key");
  auto context = Field(std::string_view(json).substr(0, cases_at), "context_string");
  if (cases_at == std::string::npos || !key || !context) {
    *error = path + " lacks key, context_string or cases";
    return std::nullopt;
  }
  Vectors vectors{*key, *context, {}};
  for (size_t pos = json.find("\"input_len\"", cases_at); pos != std::string::npos;) {
    size_t next = json.find("\"input_len\"", pos + 1);
    std::string_view object = std::string_view(json).substr(pos, next == std::string::npos ? next : next - pos);
    auto input_len = Field(object, "input_len");
    auto hash = Field(object, "hash");
    auto keyed_hash = Field(object, "keyed_hash");
    auto derive_key = Field(object, "derive_key");
    if (!input_len || !hash || !keyed_hash || !derive_key) {
      *error = "malformed case in " + path + ": " + std::string(object.substr(0, 40));
      return std::nullopt;
    }
    vectors.cases.push_back({std::stoul(*input_len), *hash, *keyed_hash, *derive_key});
    pos = next;
  }
  return vectors;
}

TEST(Blake3Test, OfficialVectorsInAllModes) {
  std::string error;
  std::optional<Vectors> vectors = LoadVectors(&error);
  ASSERT_TRUE(vectors.has_value()) << error;
  ASSERT_FALSE(vectors->cases.empty());
  ASSERT_EQ(vectors->key.size(), 32u);
  Blake3Key key = KeyFromText(vectors->key);

  for (const VectorCase& c : vectors->cases) {
    SCOPED_TRACE("input_len " + std::to_string(c.input_len));
    std::vector<uint8_t> input = TestInput(c.input_len);
    struct Mode {
      const char* name;
      Blake3 hasher;
      const std::string& expected;
      Blake3Digest one_shot;
    };
    Mode modes[] = {
        {"hash", Blake3(), c.hash, Blake3::Hash(input.data(), input.size())},
        {"keyed_hash", Blake3::Keyed(key), c.keyed_hash, Blake3::KeyedHash(key, input.data(), input.size())},
        {"derive_key", Blake3::DeriveKeyFor(vectors->context), c.derive_key,
         Blake3::DeriveKey(vectors->context, input.data(), input.size())},
    };
    for (Mode& mode : modes) {
      SCOPED_TRACE(mode.name);
      mode.hasher.Update(input.data(), input.size());
      // The full extended output given in the file, and the default output as its 32-byte prefix.
      EXPECT_EQ(XofHex(mode.hasher, mode.expected.size() / 2), mode.expected);
      EXPECT_EQ(Blake3::ToHex(mode.hasher.Finalize()), mode.expected.substr(0, 64));
      EXPECT_EQ(Blake3::ToHex(mode.one_shot), mode.expected.substr(0, 64));
      // Seeking into the extended output yields the matching slice, across block boundaries too.
      for (size_t offset : {1, 31, 32, 63, 64, 65, 100}) {
        size_t size = mode.expected.size() / 2 - offset;
        EXPECT_EQ(XofHex(mode.hasher, size, offset), mode.expected.substr(2 * offset)) << "offset " << offset;
      }
    }
  }
  std::printf("checked %zu official BLAKE3 vectors x 3 modes\n", vectors->cases.size());
}

TEST(Blake3Test, KnownDigestsAsHex) {
  EXPECT_EQ(Blake3::ToHex(Blake3::Hash("")), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  EXPECT_EQ(Blake3::ToHex("\x00\x7f\xff", 3), "007fff");
}

// Splits at and around block (64) and chunk (1024) boundaries, over inputs that span many chunks and tree levels.
TEST(Blake3Test, IncrementalUpdatesMatchOneShot) {
  const size_t kPieces[] = {1, 63, 64, 65, 127, 1023, 1024, 1025, 2048, 3072, 4097};
  const size_t kLengths[] = {0, 1, 64, 65, 1024, 1025, 2048, 3073, 8193, 31744, 102400 + 17};
  for (size_t length : kLengths) {
    std::vector<uint8_t> input = TestInput(length);
    Blake3Digest expected = Blake3::Hash(input.data(), input.size());
    for (size_t piece : kPieces) {
      Blake3 hasher;
      for (size_t at = 0; at < length; at += piece) hasher.Update(input.data() + at, std::min(piece, length - at));
      EXPECT_EQ(hasher.Finalize(), expected) << "length " << length << ", pieces of " << piece;
    }
  }
}

TEST(Blake3Test, RandomSplitsMatchOneShot) {
  std::mt19937 rng(7);
  std::vector<uint8_t> input = TestInput(40000);
  Blake3Key key = KeyFromText("whats the Elvish word for friend");
  Blake3Digest expected = Blake3::KeyedHash(key, input.data(), input.size());
  for (int trial = 0; trial < 50; ++trial) {
    Blake3 hasher = Blake3::Keyed(key);
    for (size_t at = 0; at < input.size();) {
      size_t piece = std::min<size_t>(std::uniform_int_distribution<size_t>(0, 3000)(rng), input.size() - at);
      hasher.Update(input.data() + at, piece);
      at += piece;
    }
    EXPECT_EQ(hasher.Finalize(), expected) << "trial " << trial;
  }
}

TEST(Blake3Test, ExtendedOutputPrefixProperty) {
  Blake3 hasher;
  std::vector<uint8_t> input = TestInput(5000);
  hasher.Update(input.data(), input.size());
  std::string longest = XofHex(hasher, 1000);
  for (size_t size : {0, 1, 31, 32, 33, 63, 64, 65, 128, 129, 999}) {
    EXPECT_EQ(XofHex(hasher, size), longest.substr(0, 2 * size)) << "size " << size;
  }
  EXPECT_EQ(Blake3::ToHex(hasher.Finalize()), longest.substr(0, 64));
  // A far offset: the block counter goes past 32 bits.
  uint64_t far = (uint64_t{1} << 40) + 5;
  EXPECT_EQ(XofHex(hasher, 40, far).substr(20), XofHex(hasher, 30, far + 10));
}

TEST(Blake3Test, FinalizeKeepsStateAndResetStartsOver) {
  std::vector<uint8_t> input = TestInput(3000);
  Blake3 hasher = Blake3::DeriveKeyFor("stratacache test context");
  hasher.Update(input.data(), 1500);
  EXPECT_EQ(hasher.Finalize(), Blake3::DeriveKey("stratacache test context", input.data(), 1500));
  hasher.Update(input.data() + 1500, 1500);
  EXPECT_EQ(hasher.Finalize(), Blake3::DeriveKey("stratacache test context", input.data(), 3000));
  hasher.Reset();
  hasher.Update(input.data(), 10);
  EXPECT_EQ(hasher.Finalize(), Blake3::DeriveKey("stratacache test context", input.data(), 10));
}

TEST(Blake3Test, ModesAreSeparated) {
  Blake3Key zero_key{};
  EXPECT_NE(Blake3::Hash("x"), Blake3::KeyedHash(zero_key, "x", 1));
  EXPECT_NE(Blake3::Hash("x"), Blake3::DeriveKey("", "x", 1));
  EXPECT_NE(Blake3::DeriveKey("a", "x", 1), Blake3::DeriveKey("b", "x", 1));
}

// Reports throughput; not an assertion, since the machine is shared and sanitizer builds are slow.
TEST(Blake3Test, Throughput) {
  for (size_t size : {size_t{1024}, size_t{1} << 20}) {
    std::vector<uint8_t> input = TestInput(size);
    Blake3Digest digest{};
    size_t rounds = 0;
    auto start = std::chrono::steady_clock::now();
    std::chrono::duration<double> elapsed{};
    while (elapsed.count() < 0.25) {
      for (size_t i = 0; i < 16; ++i, ++rounds) digest = Blake3::Hash(input.data(), input.size());
      elapsed = std::chrono::steady_clock::now() - start;
    }
    // Using the result keeps the timed calls from being optimised away.
    EXPECT_EQ(digest, Blake3::Hash(input.data(), input.size()));
    std::printf("BLAKE3 %7zu-byte inputs: %.0f MB/s\n", size, rounds * size / elapsed.count() / 1e6);
  }
}

}  // namespace
}  // namespace stratacache
