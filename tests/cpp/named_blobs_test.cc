#include "stratacache/named_blobs.h"

#include <gtest/gtest.h>

#include <string>

namespace stratacache {
namespace {

NamedBlobs Sample() {
  NamedBlobs blobs;
  blobs["stdout"] = Bytes::Copy("built\n");
  blobs["exit_code"] = Bytes::Copy("0");
  blobs["output"] = Bytes::Copy(std::string("\0\1\2", 3));
  blobs["stderr"] = Bytes();
  return blobs;
}

TEST(NamedBlobsTest, RoundTripsEveryBlobByName) {
  Bytes framed;
  ASSERT_TRUE(EncodeNamedBlobs(Sample(), &framed).ok());
  NamedBlobs decoded;
  ASSERT_TRUE(DecodeNamedBlobs(framed, &decoded).ok());
  ASSERT_EQ(decoded.size(), 4u);
  EXPECT_EQ(decoded["stdout"].view(), "built\n");
  EXPECT_EQ(decoded["output"].view(), std::string_view("\0\1\2", 3));
  EXPECT_TRUE(decoded["stderr"].empty());
}

TEST(NamedBlobsTest, TheFrameIsTheDocumentedLayout) {
  NamedBlobs one;
  one["ab"] = Bytes::Copy("xyz");
  Bytes framed;
  ASSERT_TRUE(EncodeNamedBlobs(one, &framed).ok());
  const std::string expected(
      "SCNB\x01\x01\x00\x00\x00\x02\x00"
      "ab\x03\x00\x00\x00\x00\x00\x00\x00"
      "xyz",
      4 + 1 + 4 + 2 + 2 + 8 + 3);
  EXPECT_EQ(framed.view(), expected);
}

TEST(NamedBlobsTest, MalformedFramesAreCorruptNotCrashes) {
  Bytes framed;
  ASSERT_TRUE(EncodeNamedBlobs(Sample(), &framed).ok());
  NamedBlobs decoded;
  // Every truncation, and one byte too many.
  for (size_t size = 0; size < framed.size(); ++size) {
    EXPECT_EQ(DecodeNamedBlobs(Bytes::Copy(framed.data(), size), &decoded).code(), StatusCode::kCorrupt) << size;
  }
  EXPECT_EQ(DecodeNamedBlobs(Bytes::Copy(std::string(framed.view()) + "!"), &decoded).code(), StatusCode::kCorrupt);
  EXPECT_EQ(DecodeNamedBlobs(Bytes::Copy("plain value"), &decoded).code(), StatusCode::kCorrupt);
  // Names out of order: "b" before "a".
  const std::string swapped(
      "SCNB\x01\x02\x00\x00\x00\x01\x00"
      "b\0\0\0\0\0\0\0\0\x01\x00"
      "a\0\0\0\0\0\0\0\0",
      4 + 1 + 4 + 2 * 11);
  EXPECT_EQ(DecodeNamedBlobs(Bytes::Copy(swapped), &decoded).code(), StatusCode::kCorrupt);
  std::string ordered = swapped;
  std::swap(ordered[11], ordered[22]);
  EXPECT_TRUE(DecodeNamedBlobs(Bytes::Copy(ordered), &decoded).ok()) << "the same frame in order is well-formed";
}

TEST(NamedBlobsTest, EmptyAndOverlongNamesAreRefused) {
  Bytes framed;
  NamedBlobs blobs;
  blobs[""] = Bytes::Copy("x");
  EXPECT_EQ(EncodeNamedBlobs(blobs, &framed).code(), StatusCode::kInvalidArg);
  blobs.clear();
  blobs[std::string(65536, 'n')] = Bytes::Copy("x");
  EXPECT_EQ(EncodeNamedBlobs(blobs, &framed).code(), StatusCode::kInvalidArg);
}

}  // namespace
}  // namespace stratacache
