// The small pieces: timestamps, request argument checks, the abort signal.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "request_checks.h"
#include "s3_time.h"
#include "stratacache/s3/abort_signal.h"

namespace stratacache::s3 {
namespace {

TEST(S3Time, ParsesBothForms) {
  EXPECT_EQ(ParseIso8601Ms("2009-10-12T17:50:30.000Z"), 1255369830000);
  EXPECT_EQ(ParseIso8601Ms("2009-10-12T17:50:30.5Z"), 1255369830500);
  EXPECT_EQ(ParseIso8601Ms("2009-10-12T17:50:30Z"), 1255369830000);
  EXPECT_EQ(ParseHttpDateMs("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480000);
  EXPECT_EQ(ParseHttpDateMs("Mon, 12 Oct 2009 17:50:30 GMT"), 1255369830000);
  EXPECT_EQ(ParseIso8601Ms("yesterday"), 0);
  EXPECT_EQ(ParseHttpDateMs("Wed, 21 Foo 2015 07:28:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDateMs(""), 0);
}

TEST(RequestChecks, KeysMetadataAndRanges) {
  EXPECT_TRUE(CheckBucketAndKey("bucket", "k").ok());
  EXPECT_EQ(CheckBucketAndKey("bucket", "").kind, S3ErrorKind::kInvalidArg);
  EXPECT_EQ(CheckBucketAndKey("bucket", std::string(1025, 'k')).kind, S3ErrorKind::kInvalidArg);
  EXPECT_EQ(CheckBucketAndKey("b/x", "k").kind, S3ErrorKind::kInvalidArg);

  EXPECT_TRUE(CheckMetadata({{"strata-key", "abc"}, {"x_1", "printable ~!"}}).ok());
  EXPECT_FALSE(CheckMetadata({{"Upper", "v"}}).ok());
  EXPECT_FALSE(CheckMetadata({{"", "v"}}).ok());
  EXPECT_FALSE(CheckMetadata({{"k", "line\r\nX-Injected: 1"}}).ok());
  EXPECT_FALSE(CheckMetadata({{"k", "caf\xc3\xa9"}}).ok());

  EXPECT_TRUE(CheckRange({0, std::nullopt}).ok());
  EXPECT_TRUE(CheckRange({10, 1}).ok());
  EXPECT_FALSE(CheckRange({10, 0}).ok());
  EXPECT_FALSE(CheckRange({UINT64_MAX, 2}).ok());
}

TEST(AbortSignal, ListenersRunOnceOnAbortAndCanBeRemoved) {
  auto signal = AbortSignal::Create();
  int first = 0, second = 0;
  signal->AddListener([&] { ++first; });
  const uint64_t removed = signal->AddListener([&] { ++second; });
  signal->RemoveListener(removed);
  EXPECT_FALSE(signal->aborted());
  signal->Abort();
  signal->Abort();
  EXPECT_TRUE(signal->aborted());
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);

  int late = 0;
  EXPECT_EQ(signal->AddListener([&] { ++late; }), 0u) << "an aborted signal calls back at once";
  EXPECT_EQ(late, 1);
}

TEST(AbortSignal, AbortFromManyThreadsRunsEachListenerOnce) {
  auto signal = AbortSignal::Create();
  std::atomic<int> calls{0};
  for (int i = 0; i < 100; ++i) signal->AddListener([&] { ++calls; });
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { signal->Abort(); });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(calls, 100);
}

}  // namespace
}  // namespace stratacache::s3
