// Interoperability with AWS's own JavaScript client (@aws-sdk/client-s3, driven through the fixture): what one
// writes, the other reads, ranges, multipart uploads, unicode keys and long listings included. Both go through
// the signature-checking proxy.
#include <gtest/gtest.h>

#include "crypto.h"
#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

class S3InteropTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = MakeClient(WithSmallParts(OptionsFor(S3Servers::Get().proxy_port()), 6 * kMiB)); }

  std::unique_ptr<S3Client> client_;
};

TEST_F(S3InteropTest, TheSdkReadsWhatThisClientWrote) {
  const std::vector<std::pair<std::string, Bytes>> objects = {
      {"interop/cpp/small", Pattern(1000, 1)},
      {"interop/cpp/ünï cødé 😀 +&=?", Pattern(10 * 1024, 2)},
      {"interop/cpp/multipart", Pattern(12 * kMiB + 5, 3)},
  };
  for (const auto& [key, body] : objects) {
    S3Result<PutObjectResult> put = Put(*client_, key, body);
    ASSERT_TRUE(put.ok()) << key << ": " << put.error.ToString();
    const nlohmann::json read = S3Servers::Get().Command("sdk-get", key);
    EXPECT_EQ(read.value("sha256", read.dump()), Sha256Of(body)) << key;
    EXPECT_EQ(read.value("size", 0u), body.size()) << key;
  }
  const Bytes& big = objects[2].second;
  const nlohmann::json range = S3Servers::Get().Command("sdk-get", "interop/cpp/multipart", "5242870-5242889");
  EXPECT_EQ(range.value("sha256", range.dump()), Sha256Hex(big.view().substr(5242870, 20)));

  const nlohmann::json listed = S3Servers::Get().Command("sdk-list", "interop/cpp/");
  ASSERT_TRUE(listed.contains("keys")) << listed.dump();
  EXPECT_EQ(listed["keys"].size(), 3u);
}

TEST_F(S3InteropTest, ThisClientReadsWhatTheSdkWrote) {
  const nlohmann::json small = S3Servers::Get().Command("sdk-put", "interop/sdk/smäll", "1000 11");
  ASSERT_TRUE(small.contains("etag")) << small.dump();
  S3Result<GetObjectResult> got = Get(*client_, "interop/sdk/smäll");
  ASSERT_TRUE(got.ok()) << got.error.ToString();
  EXPECT_EQ(got.value.body.view(), Pattern(1000, 11).view());
  EXPECT_EQ(got.value.info.etag, small["etag"].get<std::string>());

  const size_t size = 12 * kMiB + 7;
  const nlohmann::json big = S3Servers::Get().Command("sdk-put", "interop/sdk/multipart", std::to_string(size) + " 12");
  ASSERT_EQ(big.value("parts", 0), 3) << big.dump();
  const Bytes expected = Pattern(size, 12);
  S3Result<GetObjectResult> whole = Get(*client_, "interop/sdk/multipart");
  ASSERT_TRUE(whole.ok()) << whole.error.ToString();
  EXPECT_EQ(Sha256Of(whole.value.body), Sha256Of(expected));
  S3Result<GetObjectResult> tail = Get(*client_, "interop/sdk/multipart", ByteRange{10 * kMiB - 3, std::nullopt});
  ASSERT_TRUE(tail.ok()) << tail.error.ToString();
  EXPECT_EQ(tail.value.body.view(), expected.view().substr(10 * kMiB - 3));
}

TEST_F(S3InteropTest, LongListingsAgree) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1005; ++i) keys.push_back("interop/many/" + std::to_string(i) + (i % 7 ? "" : " ü"));
  auto left = std::make_shared<std::atomic<size_t>>(keys.size());
  Await<S3Error>([&](S3DoneCallback done) {
    for (const std::string& key : keys) {
      client_->PutObject({.bucket = kBucket, .key = key, .body = Bytes::Copy(key)},
                         [left, done](S3Result<PutObjectResult> put) {
                           EXPECT_TRUE(put.ok()) << put.error.ToString();
                           if (--*left == 0) done(S3Error::Ok());
                         });
    }
  });
  S3Result<ListObjectsPage> ours = Await<S3Result<ListObjectsPage>>(
      [&](auto done) { client_->ListAllObjects({.bucket = kBucket, .prefix = "interop/many/"}, std::move(done)); });
  ASSERT_TRUE(ours.ok()) << ours.error.ToString();
  const nlohmann::json theirs = S3Servers::Get().Command("sdk-list", "interop/many/");
  ASSERT_EQ(theirs["keys"].size(), keys.size()) << theirs.dump().substr(0, 200);
  ASSERT_EQ(ours.value.objects.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(ours.value.objects[i].key, theirs["keys"][i].get<std::string>());
}

}  // namespace
}  // namespace stratacache::s3::testing
