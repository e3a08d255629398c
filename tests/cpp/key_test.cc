#include "stratacache/key.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace stratacache {
namespace {

TEST(KeyTest, DigestIsStableForTheSameText) {
  EXPECT_EQ(Key("user:1").digest(), Key("user:1").digest());
  EXPECT_FALSE(Key("user:1").digest() == Key("user:2").digest());
}

TEST(KeyTest, NamespacesSeparateEqualText) {
  EXPECT_FALSE(Key("compile", "k").digest() == Key("test", "k").digest());
  EXPECT_FALSE(Key("", "k").digest() == Key("compile", "k").digest());
  // The separator keeps ("a", "bc") apart from ("ab", "c").
  EXPECT_FALSE(Key("a", "bc").digest() == Key("ab", "c").digest());
}

TEST(KeyTest, HexIs32LowercaseCharacters) {
  std::string hex = Key("x").digest().ToHex();
  ASSERT_EQ(hex.size(), 32u);
  for (char c : hex) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
  Digest d{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  EXPECT_EQ(d.ToHex(), "0123456789abcdeffedcba9876543210");
}

TEST(KeyTest, ManyKeysDoNotCollide) {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) seen.insert(Key("key:" + std::to_string(i)).digest().ToHex());
  EXPECT_EQ(seen.size(), 100000u);
}

}  // namespace
}  // namespace stratacache
