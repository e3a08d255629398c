#include "s3_test_env.h"

#include <openssl/evp.h>

#include "crypto.h"

namespace stratacache::s3::testing {

S3Servers& S3Servers::Get() {
  static S3Servers* const servers = [] {
    auto* environment = new S3Servers;
    ::testing::AddGlobalTestEnvironment(environment);  // gtest owns it from here
    return environment;
  }();
  return *servers;
}

// Registered before main() runs, so the servers start once, before the first test.
[[maybe_unused]] static S3Servers& registered = S3Servers::Get();

void S3Servers::SetUp() {
  std::string error;
  fixture_ = NodeProcess::Start("s3_fixture.cjs", {}, &error);
  ASSERT_NE(fixture_, nullptr) << error;
  ports_ = fixture_->hello();
  ASSERT_TRUE(ports_.contains("proxy")) << ports_.dump();
}

void S3Servers::TearDown() { fixture_.reset(); }

nlohmann::json S3Servers::Command(const std::string& name, const std::string& key, const std::string& rest) {
  std::string line = name;
  if (name != "stats") line += " " + Base64(key);
  if (!rest.empty()) line += " " + rest;
  return fixture_->Command(line);
}

S3ClientOptions OptionsFor(int port, Credentials credentials) {
  S3ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  options.region = "us-east-1";
  options.credentials = std::move(credentials);
  options.timeout_ms = 20'000;
  options.retry = {.max_attempts = 3, .base_delay_ms = 5, .max_delay_ms = 50};
  return options;
}

S3ClientOptions WithSmallParts(S3ClientOptions options, uint64_t threshold) {
  options.multipart_threshold = threshold;
  options.multipart_part_size = kMinPartSize;
  return options;
}

std::unique_ptr<S3Client> MakeClient(const S3ClientOptions& options) {
  S3Result<std::unique_ptr<S3Client>> client = S3Client::Create(options);
  EXPECT_TRUE(client.ok()) << client.error.message;
  return std::move(client.value);
}

Bytes Pattern(size_t size, int seed) {
  Bytes bytes = Bytes::Allocate(size);
  for (size_t i = 0; i < size; ++i) bytes.mutable_data()[i] = static_cast<uint8_t>(i * 131 + seed * 7 + (i >> 10));
  return bytes;
}

std::string Sha256Of(const Bytes& bytes) { return Sha256Hex(bytes.view()); }

std::string Base64(std::string_view text) {
  std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                   reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  encoded.resize(static_cast<size_t>(size));
  return encoded;
}

S3Result<GetObjectResult> Get(S3Client& client, const std::string& key, std::optional<ByteRange> range) {
  return Await<S3Result<GetObjectResult>>(
      [&](auto done) { client.GetObject({.bucket = kBucket, .key = key, .range = range}, std::move(done)); });
}

S3Result<PutObjectResult> Put(S3Client& client, const std::string& key, Bytes body, Metadata metadata) {
  return Await<S3Result<PutObjectResult>>([&](auto done) {
    client.PutObject({.bucket = kBucket, .key = key, .body = std::move(body), .metadata = std::move(metadata)},
                     std::move(done));
  });
}

}  // namespace stratacache::s3::testing
