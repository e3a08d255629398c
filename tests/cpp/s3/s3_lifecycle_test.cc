// The client's own machinery: aborting requests at every stage, closing with requests open, bounded
// concurrency, connection reuse, and where callbacks run. Against the fault server.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

nlohmann::json FaultStats() { return S3Servers::Get().Command("stats")["faults"]; }

// A GET whose signal aborts `delay` after it starts.
S3Result<GetObjectResult> GetAbortedAfter(S3Client& client, const std::string& key, milliseconds delay) {
  auto signal = AbortSignal::Create();
  return Await<S3Result<GetObjectResult>>([&](auto done) {
    client.GetObject({.bucket = kBucket, .key = key, .signal = signal}, std::move(done));
    std::this_thread::sleep_for(delay);
    signal->Abort();
  });
}

class S3LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = MakeClient(OptionsFor(S3Servers::Get().fault_port())); }

  std::unique_ptr<S3Client> client_;
};

TEST_F(S3LifecycleTest, AbortCancelsARequestOnTheWire) {
  const auto start = steady_clock::now();
  S3Result<GetObjectResult> got = GetAbortedAfter(*client_, "stall/abort", milliseconds(100));
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAborted);
  EXPECT_FALSE(got.error.retryable);
  EXPECT_EQ(got.error.attempts, 1);
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
}

TEST_F(S3LifecycleTest, AnAlreadyAbortedSignalSendsNothing) {
  auto signal = AbortSignal::Create();
  signal->Abort();
  S3Result<GetObjectResult> got = Await<S3Result<GetObjectResult>>([&](auto done) {
    client_->GetObject({.bucket = kBucket, .key = "ok/never-sent", .signal = signal}, std::move(done));
  });
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAborted);
  EXPECT_EQ(got.error.attempts, 0);
  EXPECT_EQ(FaultStats()["counts"].value("GET /strata-test/ok/never-sent", 0), 0);
}

TEST_F(S3LifecycleTest, AbortCutsABackoffShort) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.retry = {.max_attempts = 5, .base_delay_ms = 10'000, .max_delay_ms = 10'000};
  auto client = MakeClient(options);
  const auto start = steady_clock::now();
  S3Result<GetObjectResult> got = GetAbortedAfter(*client, "status500/backoff", milliseconds(200));
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAborted);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(S3LifecycleTest, AbortingAMultipartUploadAbortsItOnTheService) {
  auto client = MakeClient(WithSmallParts(OptionsFor(S3Servers::Get().fault_port()), 5 * kMiB));
  auto signal = AbortSignal::Create();
  S3Result<PutObjectResult> put = Await<S3Result<PutObjectResult>>([&](auto done) {
    client->PutObject({.bucket = kBucket, .key = "mpstall/abort", .body = Pattern(11 * kMiB, 1), .signal = signal},
                      std::move(done));
    std::this_thread::sleep_for(milliseconds(300));
    signal->Abort();
  });
  EXPECT_EQ(put.error.kind, S3ErrorKind::kAborted) << put.error.ToString();
  bool aborted = false;
  const nlohmann::json stats = FaultStats();
  for (const auto& url : stats["aborts"]) aborted |= url.get<std::string>().starts_with("/strata-test/mpstall/abort?");
  EXPECT_TRUE(aborted) << "AbortMultipartUpload was not sent";
}

TEST_F(S3LifecycleTest, ClosingCompletesEveryOpenRequest) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.max_concurrent_requests = 2;
  auto client = MakeClient(options);
  std::mutex mutex;
  std::vector<S3ErrorKind> kinds;
  for (int i = 0; i < 5; ++i) {  // two on the wire, three waiting in line
    client->GetObject({.bucket = kBucket, .key = "stall/close-" + std::to_string(i)},
                      [&](S3Result<GetObjectResult> got) {
                        std::lock_guard lock(mutex);
                        kinds.push_back(got.error.kind);
                      });
  }
  std::this_thread::sleep_for(milliseconds(200));
  const auto start = steady_clock::now();
  client.reset();
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(kinds, std::vector<S3ErrorKind>(5, S3ErrorKind::kClosed));
}

TEST_F(S3LifecycleTest, CancellingCompletesEveryOpenRequestAndTheClientGoesOn) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.max_concurrent_requests = 2;
  options.retry = {.max_attempts = 5, .base_delay_ms = 10'000, .max_delay_ms = 10'000};
  auto client = MakeClient(options);
  std::mutex mutex;
  std::vector<S3ErrorKind> kinds;
  auto record = [&](S3Result<GetObjectResult> got) {
    std::lock_guard lock(mutex);
    kinds.push_back(got.error.kind);
  };
  // Two on the wire, three waiting in line, one waiting out a backoff.
  for (int i = 0; i < 5; ++i) client->GetObject({.bucket = kBucket, .key = "stall/cancel-" + std::to_string(i)}, record);
  client->GetObject({.bucket = kBucket, .key = "status500/cancel"}, record);
  std::this_thread::sleep_for(milliseconds(300));
  const auto start = steady_clock::now();
  client->CancelAll();
  while (steady_clock::now() - start < milliseconds(2000)) {
    {
      std::lock_guard lock(mutex);
      if (kinds.size() == 6) break;
    }
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_LT(steady_clock::now() - start, milliseconds(100));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(kinds, std::vector<S3ErrorKind>(6, S3ErrorKind::kClosed));
  }
  S3Result<GetObjectResult> later = Get(*client, "ok/after-cancel");
  EXPECT_TRUE(later.ok()) << later.error.ToString();
}

TEST_F(S3LifecycleTest, TheClientMayBeDestroyedFromItsOwnCallback) {
  auto client = std::make_shared<std::unique_ptr<S3Client>>(MakeClient(OptionsFor(S3Servers::Get().fault_port())));
  S3Result<GetObjectResult> got = Await<S3Result<GetObjectResult>>([&](auto done) {
    (*client)->GetObject({.bucket = kBucket, .key = "ok/self-destruct"},
                         [client, done](S3Result<GetObjectResult> result) {
                           client->reset();
                           done(std::move(result));
                         });
  });
  EXPECT_TRUE(got.ok()) << got.error.ToString();
  EXPECT_EQ(*client, nullptr);
}

TEST_F(S3LifecycleTest, ConcurrencyIsBoundedAndConnectionsReused) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.max_concurrent_requests = 3;
  auto client = MakeClient(options);
  const int connections_before = FaultStats()["connections"];
  auto left = std::make_shared<std::atomic<int>>(12);
  auto failures = std::make_shared<std::atomic<int>>(0);
  Await<S3Error>([&](S3DoneCallback done) {
    for (int i = 0; i < 12; ++i) {
      client->GetObject({.bucket = kBucket, .key = "hold/" + std::to_string(i)},
                        [left, failures, done](S3Result<GetObjectResult> got) {
                          if (!got.ok()) ++*failures;
                          if (--*left == 0) done(S3Error::Ok());
                        });
    }
  });
  EXPECT_EQ(*failures, 0);
  const nlohmann::json stats = FaultStats();
  EXPECT_EQ(stats["peakInFlight"].get<int>(), 3);
  EXPECT_LE(stats["connections"].get<int>() - connections_before, 3);

  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Get(*client, "ok/reuse").ok());
  EXPECT_LE(FaultStats()["connections"].get<int>() - connections_before, 3) << "sequential requests reuse connections";
}

TEST_F(S3LifecycleTest, CallbacksRunOnTheClientsThread) {
  std::set<std::thread::id> threads;
  for (const char* key : {"ok/a", "", "ok/b"}) {  // the empty key fails before sending, on the same thread
    threads.insert(Await<std::thread::id>([&](auto done) {
      client_->GetObject({.bucket = kBucket, .key = key},
                         [done](S3Result<GetObjectResult>) { done(std::this_thread::get_id()); });
    }));
  }
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

}  // namespace
}  // namespace stratacache::s3::testing
