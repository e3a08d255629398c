// Listings past 1,000 keys (continuation tokens), delimiters, and batch deletes, against s3rver through the
// signature-checking proxy.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>

#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

std::vector<std::string> Keys(const std::string& prefix, int count) {
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "%05d", i);
    keys.push_back(prefix + name);
  }
  return keys;
}

// Writes every key at once: the client queues what exceeds its concurrency.
void PutAll(S3Client& client, const std::vector<std::string>& keys) {
  auto failures = std::make_shared<std::atomic<int>>(0);
  auto left = std::make_shared<std::atomic<size_t>>(keys.size());
  S3Error last = Await<S3Error>([&](S3DoneCallback done) {
    for (const std::string& key : keys) {
      client.PutObject({.bucket = kBucket, .key = key, .body = Bytes::Copy(key)},
                       [failures, left, done](S3Result<PutObjectResult> put) {
                         if (!put.ok()) ++*failures;
                         if (--*left == 0) done(S3Error::Ok());
                       });
    }
  });
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(*failures, 0);
}

std::vector<std::string> Names(const ListObjectsPage& page) {
  std::vector<std::string> names;
  for (const ObjectSummary& object : page.objects) names.push_back(object.key);
  return names;
}

class S3ListingTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = MakeClient(OptionsFor(S3Servers::Get().proxy_port())); }

  S3Result<ListObjectsPage> List(ListObjectsRequest request) {
    request.bucket = kBucket;
    return Await<S3Result<ListObjectsPage>>([&](auto done) { client_->ListObjects(request, std::move(done)); });
  }
  S3Result<ListObjectsPage> ListAll(const std::string& prefix) {
    return Await<S3Result<ListObjectsPage>>(
        [&](auto done) { client_->ListAllObjects({.bucket = kBucket, .prefix = prefix}, std::move(done)); });
  }

  std::unique_ptr<S3Client> client_;
};

TEST_F(S3ListingTest, ListingsPastAThousandKeysFollowContinuationTokens) {
  const std::vector<std::string> keys = Keys("many/", 1100);
  PutAll(*client_, keys);

  S3Result<ListObjectsPage> all = ListAll("many/");
  ASSERT_TRUE(all.ok()) << all.error.ToString();
  EXPECT_EQ(Names(all.value), keys);
  EXPECT_FALSE(all.value.is_truncated);
  EXPECT_EQ(all.value.objects[7].size, keys[7].size());
  EXPECT_GE(all.error.attempts, 2) << "at least two pages";

  std::vector<std::string> paged;
  ListObjectsRequest request{.prefix = "many/", .max_keys = 250};
  int pages = 0;
  do {
    S3Result<ListObjectsPage> page = List(request);
    ASSERT_TRUE(page.ok()) << page.error.ToString();
    EXPECT_LE(page.value.objects.size(), 250u);
    for (auto& name : Names(page.value)) paged.push_back(name);
    request.continuation_token = page.value.is_truncated ? page.value.next_continuation_token : "";
    ++pages;
  } while (!request.continuation_token.empty() && pages < 10);
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(paged, keys);

  S3Result<DeleteObjectsResult> deleted = Await<S3Result<DeleteObjectsResult>>(
      [&](auto done) { client_->DeleteObjects({.bucket = kBucket, .keys = keys}, std::move(done)); });
  ASSERT_TRUE(deleted.ok()) << deleted.error.ToString();
  EXPECT_TRUE(deleted.value.failures.empty());
  EXPECT_TRUE(ListAll("many/").value.objects.empty());
}

TEST_F(S3ListingTest, DelimitersFoldDeeperKeysIntoPrefixes) {
  // s3rver 3.7 misses keys two levels below a common prefix, so the tree here is one level deep.
  PutAll(*client_, {"tree/a", "tree/d1/x", "tree/d1/y", "tree/d2/z", "treetop"});
  S3Result<ListObjectsPage> level = List({.prefix = "tree/", .delimiter = "/"});
  ASSERT_TRUE(level.ok()) << level.error.ToString();
  EXPECT_EQ(Names(level.value), std::vector<std::string>{"tree/a"});
  EXPECT_EQ(level.value.common_prefixes, (std::vector<std::string>{"tree/d1/", "tree/d2/"}));

  S3Result<ListObjectsPage> after = List({.prefix = "tree/", .start_after = "tree/d1/x"});
  EXPECT_EQ(Names(after.value), (std::vector<std::string>{"tree/d1/y", "tree/d2/z"}));
}

TEST_F(S3ListingTest, ListingAMissingBucketFails) {
  S3Result<ListObjectsPage> listed = Await<S3Result<ListObjectsPage>>(
      [&](auto done) { client_->ListObjects({.bucket = "no-such-bucket"}, std::move(done)); });
  EXPECT_EQ(listed.error.kind, S3ErrorKind::kNoSuchBucket);
}

TEST_F(S3ListingTest, BatchDeleteReportsKeysXmlCannotCarry) {
  PutAll(*client_, {"batch/one", "batch/two"});
  S3Result<DeleteObjectsResult> deleted = Await<S3Result<DeleteObjectsResult>>([&](auto done) {
    client_->DeleteObjects({.bucket = kBucket,
                            .keys = {"batch/one",
                                     "batch/\x01"
                                     "control",
                                     "batch/two"}},
                           std::move(done));
  });
  ASSERT_TRUE(deleted.ok()) << deleted.error.ToString();
  ASSERT_EQ(deleted.value.failures.size(), 1u);
  EXPECT_EQ(deleted.value.failures[0].key,
            "batch/\x01"
            "control");
  EXPECT_TRUE(ListAll("batch/").value.objects.empty());
}

}  // namespace
}  // namespace stratacache::s3::testing
