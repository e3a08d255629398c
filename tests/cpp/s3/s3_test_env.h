// What the S3 integration tests share: the servers (started once per test binary), clients aimed at them, and
// a way to wait for a callback that fails the test instead of hanging.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "node_process.h"
#include "stratacache/s3/s3_client.h"

namespace stratacache::s3::testing {

inline constexpr char kBucket[] = "strata-test";
// The one identity s3rver knows; the signature proxy knows it too, and a temporary one (see sigv4_proxy.cjs).
inline const Credentials kS3rverCredentials{"S3RVER", "S3RVER", ""};
inline const Credentials kTemporaryCredentials{"ASIATEMPORARY", "temporary/secret+key",
                                               "FwoGZXIvYXdzEJr//////////session+token="};

// s3rver, the SigV4-checking proxy in front of it and the fault server (tests/cpp/s3/fixtures/s3_fixture.cjs).
class S3Servers : public ::testing::Environment {
 public:
  static S3Servers& Get();

  void SetUp() override;
  void TearDown() override;

  int proxy_port() const { return ports_["proxy"]; }
  int s3rver_port() const { return ports_["s3rver"]; }
  int fault_port() const { return ports_["faults"]; }
  // A command for the fixture; see s3_fixture.cjs. Keys are base64-encoded here.
  nlohmann::json Command(const std::string& name, const std::string& key = "", const std::string& rest = "");

 private:
  std::unique_ptr<NodeProcess> fixture_;
  nlohmann::json ports_;
};

// A path-style client of http://127.0.0.1:<port> with fast retries (3 attempts, 5-50 ms apart).
S3ClientOptions OptionsFor(int port, Credentials credentials = kS3rverCredentials);
// The same with multipart uploads from `threshold` bytes up, in parts of S3's minimum size (5 MiB).
S3ClientOptions WithSmallParts(S3ClientOptions options, uint64_t threshold);
std::unique_ptr<S3Client> MakeClient(const S3ClientOptions& options);

// Deterministic bytes that differ by position and seed (the fixture's pattern() makes the same).
Bytes Pattern(size_t size, int seed);
std::string Sha256Of(const Bytes& bytes);
std::string Base64(std::string_view text);

// Runs `start(callback)` and waits for the callback; a test that waits `timeout` fails as a hang.
template <class Result, class Start>
Result Await(Start start, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  start([promise](Result result) { promise->set_value(std::move(result)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    ADD_FAILURE() << "the callback did not come within " << timeout.count() << " ms";
    return Result{};
  }
  return future.get();
}

// Blocking shorthands for the tests.
S3Result<GetObjectResult> Get(S3Client& client, const std::string& key, std::optional<ByteRange> range = {});
S3Result<PutObjectResult> Put(S3Client& client, const std::string& key, Bytes body, Metadata metadata = {});

}  // namespace stratacache::s3::testing
