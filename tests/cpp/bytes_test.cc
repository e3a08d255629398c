#include "stratacache/bytes.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace stratacache {
namespace {

TEST(BytesTest, CopyHoldsItsOwnBytes) {
  std::string source = "hello";
  Bytes bytes = Bytes::Copy(source);
  source[0] = 'j';
  EXPECT_EQ(bytes.view(), "hello");
  EXPECT_EQ(bytes.size(), 5u);
}

TEST(BytesTest, EmptyValuesAreValid) {
  Bytes empty = Bytes::Copy("", 0);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.view(), "");
  Bytes none;
  EXPECT_EQ(none.data(), nullptr);
}

TEST(BytesTest, ImpossibleSizesAreRefusedNotWrapped) {
  EXPECT_FALSE(Bytes::TryAllocate(std::numeric_limits<size_t>::max()));
  EXPECT_FALSE(Bytes::TryAllocate(std::numeric_limits<size_t>::max() - Bytes::kHeaderSize + 1));
  std::optional<Bytes> small = Bytes::TryAllocate(10);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->size(), 10u);
}

TEST(BytesTest, CopiesShareOneBlock) {
  Bytes a = Bytes::Copy("shared");
  Bytes b = a;
  EXPECT_EQ(a.data(), b.data());
  Bytes c = std::move(b);
  EXPECT_EQ(c.data(), a.data());
  EXPECT_EQ(b.data(), nullptr);
}

TEST(BytesTest, LentBytesOutliveEveryOwner) {
  void* token;
  const uint8_t* data;
  {
    Bytes bytes = Bytes::Copy("borrowed by JavaScript");
    token = bytes.Lend();
    data = bytes.data();
  }
  // The last owner is gone; the borrower still reads valid memory (checked by AddressSanitizer in CI).
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), 22), "borrowed by JavaScript");
  Bytes::ReleaseBorrowed(token);
}

}  // namespace
}  // namespace stratacache
