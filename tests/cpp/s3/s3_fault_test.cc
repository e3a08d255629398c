// Faults from the fault server (fixtures/fault_server.cjs): each ends in the documented error or a successful
// retry, within bounded time, and never in wrong bytes. Retries here are 3 attempts, 5-50 ms apart.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class S3FaultTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = MakeClient(OptionsFor(S3Servers::Get().fault_port())); }

  // How many times the fault server saw `method` on the key.
  static int Seen(const std::string& method, const std::string& key) {
    return S3Servers::Get().Command("stats")["faults"]["counts"].value(method + " /" + kBucket + "/" + key, 0);
  }

  std::unique_ptr<S3Client> client_;
};

TEST_F(S3FaultTest, ServerErrorsAreRetriedThenReported) {
  S3Result<GetObjectResult> got = Get(*client_, "status500/a");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kServer);
  EXPECT_EQ(got.error.s3_code, "InternalError");
  EXPECT_EQ(got.error.request_id, "FAULTREQUEST");
  EXPECT_TRUE(got.error.retryable);
  EXPECT_EQ(got.error.attempts, 3);
  EXPECT_EQ(Seen("GET", "status500/a"), 3);
  EXPECT_TRUE(got.value.body.empty());
}

TEST_F(S3FaultTest, PassingTroubleIsRiddenOut) {
  struct Case {
    const char* key;
    const char* body;
    int attempts;
  };
  for (const Case& test :
       {Case{"flaky500/a", "recovered", 3}, Case{"slowdown/a", "calmer", 2}, Case{"throttle429/a", "calmer", 2}}) {
    SCOPED_TRACE(test.key);
    S3Result<GetObjectResult> got = Get(*client_, test.key);
    ASSERT_TRUE(got.ok()) << got.error.ToString();
    EXPECT_EQ(got.value.body.view(), test.body);
    EXPECT_EQ(got.error.attempts, test.attempts);
  }
  // A connection reset before any response: on a reused connection libcurl itself resends once (the connection
  // may simply have gone stale), on a fresh one the retry policy does. Either way the second request succeeds.
  S3Result<GetObjectResult> got = Get(*client_, "resetonce/a");
  ASSERT_TRUE(got.ok()) << got.error.ToString();
  EXPECT_EQ(got.value.body.view(), "second time lucky");
  EXPECT_EQ(Seen("GET", "resetonce/a"), 2);
}

// The timeout bounds the whole operation, retries included, whatever the server does: answers too late, sends
// headers and stalls the body, trickles it, or never answers at all. Reads, writes and bucket checks alike.
TEST_F(S3FaultTest, EveryOperationSettlesByItsTimeout) {
  constexpr auto kTimeout = milliseconds(400);
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.timeout_ms = kTimeout.count();
  auto client = MakeClient(options);
  auto expect_timeout = [&](const S3Error& error, steady_clock::time_point start) {
    const auto took = steady_clock::now() - start;
    EXPECT_EQ(error.kind, S3ErrorKind::kTimeout) << error.ToString();
    EXPECT_TRUE(error.retryable);
    EXPECT_NE(error.message.find("timeout 400 ms"), std::string::npos) << error.message;
    EXPECT_GE(took, kTimeout - milliseconds(5));
    EXPECT_LT(took, kTimeout + milliseconds(500));
  };
  for (const char* key : {"slow/a", "slowbody/a", "trickle/a", "stall/a"}) {
    SCOPED_TRACE(key);
    auto start = steady_clock::now();
    S3Result<GetObjectResult> got = Get(*client, key);
    expect_timeout(got.error, start);
    EXPECT_TRUE(got.value.body.empty());
    start = steady_clock::now();
    expect_timeout(Put(*client, key, Pattern(1000, 1)).error, start);
  }
  auto start = steady_clock::now();
  expect_timeout(Await<S3Error>([&](auto done) {
                   client->HeadObject({.bucket = kBucket, .key = "stall/b"},
                                      [done](S3Result<ObjectInfo> result) { done(result.error); });
                 }),
                 start);
}

// Retries stop when the next one could not finish in time: the operation settles by its timeout, not after
// max_attempts full backoffs.
TEST_F(S3FaultTest, RetriesStopAtTheTimeout) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().fault_port());
  options.timeout_ms = 300;
  options.retry = {.max_attempts = 100, .base_delay_ms = 100, .max_delay_ms = 100};
  auto client = MakeClient(options);
  const auto start = steady_clock::now();
  S3Result<GetObjectResult> got = Get(*client, "status500/retries");
  EXPECT_LT(steady_clock::now() - start, milliseconds(800));
  // The last attempt's own error, or kTimeout when it started with too little time left to finish.
  EXPECT_TRUE(got.error.kind == S3ErrorKind::kServer || got.error.kind == S3ErrorKind::kTimeout)
      << got.error.ToString();
  EXPECT_GE(got.error.attempts, 2);
  EXPECT_LT(got.error.attempts, 100) << "stopped by the timeout, not by max_attempts";
}

// A body on its way earns time by its announced size (curl::kDeadlineMsPerMiB), so a timeout meant for silent
// servers does not fail a large value that keeps moving.
TEST_F(S3FaultTest, ALargeBodyEarnsTimeByItsSize) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().proxy_port());
  options.timeout_ms = 1;
  auto client = MakeClient(options);
  EXPECT_EQ(Put(*client, "earns/small", Pattern(100, 3)).error.kind, S3ErrorKind::kTimeout);
  S3Result<PutObjectResult> put = Put(*client, "earns/large", Pattern(3 * kMiB, 3));
  ASSERT_TRUE(put.ok()) << put.error.ToString();
}

TEST_F(S3FaultTest, BrokenConnectionsNeverYieldBytes) {
  for (const char* key : {"reset/a", "truncated/a"}) {
    SCOPED_TRACE(key);
    S3Result<GetObjectResult> got = Get(*client_, key);
    EXPECT_EQ(got.error.kind, S3ErrorKind::kIo) << got.error.ToString();
    EXPECT_TRUE(got.error.retryable);
    EXPECT_EQ(got.error.attempts, 3);
    EXPECT_TRUE(got.value.body.empty());
  }
}

TEST_F(S3FaultTest, NobodyListening) {
  // A port that was just free: bind, read it back, close.
  const int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(getsockname(probe, reinterpret_cast<sockaddr*>(&address), &size), 0);
  close(probe);

  auto client = MakeClient(OptionsFor(ntohs(address.sin_port)));
  S3Result<GetObjectResult> got = Get(*client, "any");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kIo) << got.error.ToString();
  EXPECT_TRUE(got.error.retryable);
  EXPECT_EQ(got.error.attempts, 3);
}

TEST_F(S3FaultTest, AServerStoppedMidRequest) {
  std::string error;
  std::unique_ptr<NodeProcess> server = NodeProcess::Start("fault_main.cjs", {}, &error);
  ASSERT_NE(server, nullptr) << error;
  auto client = MakeClient(OptionsFor(server->hello()["port"].get<int>()));
  ASSERT_TRUE(Get(*client, "ok/warm-up").ok());

  const auto start = steady_clock::now();
  S3Result<GetObjectResult> got = Await<S3Result<GetObjectResult>>([&](auto done) {
    client->GetObject({.bucket = kBucket, .key = "stall/forever"}, std::move(done));
    std::this_thread::sleep_for(milliseconds(200));
    server->Kill();
  });
  EXPECT_EQ(got.error.kind, S3ErrorKind::kIo) << got.error.ToString();
  EXPECT_TRUE(got.error.retryable);
  EXPECT_TRUE(got.value.body.empty());
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000));
  EXPECT_EQ(Get(*client, "ok/after").error.kind, S3ErrorKind::kIo);
}

TEST_F(S3FaultTest, AServiceIgnoringRangesStillYieldsTheRange) {
  S3Result<GetObjectResult> got = Get(*client_, "wholebody/a", ByteRange{2, 3});
  ASSERT_TRUE(got.ok()) << got.error.ToString();
  EXPECT_EQ(got.value.body.view(), "cde");
  EXPECT_EQ(got.value.offset, 2u);
  EXPECT_EQ(got.value.info.size, 10u);
  EXPECT_EQ(Get(*client_, "wholebody/a", ByteRange{20, 3}).error.kind, S3ErrorKind::kRejected);
}

TEST_F(S3FaultTest, AWrongRangeIsRefused) {
  S3Result<GetObjectResult> got = Get(*client_, "badrange/a", ByteRange{0, 5});
  EXPECT_EQ(got.error.kind, S3ErrorKind::kServer);
  EXPECT_TRUE(got.value.body.empty());
}

TEST_F(S3FaultTest, ACopyFailingInsideA200IsAFailure) {
  S3Result<PutObjectResult> copied = Await<S3Result<PutObjectResult>>([&](auto done) {
    client_->CopyObject({.bucket = kBucket, .source_key = "ok/source", .key = "copyfail/a"}, std::move(done));
  });
  EXPECT_EQ(copied.error.kind, S3ErrorKind::kServer) << copied.error.ToString();
  EXPECT_EQ(copied.error.s3_code, "InternalError");
  EXPECT_EQ(copied.error.request_id, "FAULTREQUEST");
  EXPECT_TRUE(copied.value.etag.empty());
}

class S3MultipartFaultTest : public S3FaultTest {
 protected:
  void SetUp() override { client_ = MakeClient(WithSmallParts(OptionsFor(S3Servers::Get().fault_port()), 5 * kMiB)); }

  static bool Aborted(const std::string& key) {
    const nlohmann::json stats = S3Servers::Get().Command("stats");
    for (const auto& url : stats["faults"]["aborts"]) {
      if (url.get<std::string>().starts_with("/" + std::string(kBucket) + "/" + key + "?")) return true;
    }
    return false;
  }
};

TEST_F(S3MultipartFaultTest, CreatingAnUploadIsNotRetried) {
  S3Result<PutObjectResult> put = Put(*client_, "createfail/a", Pattern(5 * kMiB + 1, 1));
  EXPECT_EQ(put.error.kind, S3ErrorKind::kServer);
  EXPECT_EQ(put.error.attempts, 1);
  EXPECT_EQ(Seen("POST", "createfail/a"), 1);
}

TEST_F(S3MultipartFaultTest, AFailedPartAbortsTheUpload) {
  S3Result<PutObjectResult> put = Put(*client_, "mppartfail/a", Pattern(15 * kMiB, 2));
  EXPECT_EQ(put.error.kind, S3ErrorKind::kServer) << put.error.ToString();
  EXPECT_EQ(put.error.attempts, 3) << "the part was retried";
  EXPECT_TRUE(Aborted("mppartfail/a"));
}

TEST_F(S3MultipartFaultTest, ACompletionFailingInsideA200AbortsTheUpload) {
  S3Result<PutObjectResult> put = Put(*client_, "mpcompletefail/a", Pattern(6 * kMiB, 3));
  EXPECT_EQ(put.error.kind, S3ErrorKind::kServer) << put.error.ToString();
  EXPECT_EQ(put.error.s3_code, "InternalError");
  EXPECT_TRUE(put.error.retryable);
  EXPECT_TRUE(Aborted("mpcompletefail/a"));
}

}  // namespace
}  // namespace stratacache::s3::testing
