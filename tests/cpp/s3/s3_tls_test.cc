// HTTPS endpoints, against the fault server speaking TLS with a self-signed certificate for 127.0.0.1.
#include <gtest/gtest.h>

#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

class S3TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = NodeProcess::Start("fault_main.cjs", {"--tls"}, &error);
    ASSERT_NE(server_, nullptr) << error;
    options_ = OptionsFor(server_->hello()["port"].get<int>());
    options_.endpoint = "https://127.0.0.1:" + std::to_string(server_->hello()["port"].get<int>());
  }

  std::unique_ptr<NodeProcess> server_;
  S3ClientOptions options_;
};

TEST_F(S3TlsTest, TrustedCertificatesCarryRequests) {
  options_.ca_file = server_->hello()["ca"].get<std::string>();
  auto client = MakeClient(options_);
  S3Result<GetObjectResult> got = Get(*client, "ok/over-tls");
  ASSERT_TRUE(got.ok()) << got.error.ToString();
  EXPECT_EQ(got.value.body.view(), "hello");
  EXPECT_EQ(Get(*client, "status500/over-tls").error.attempts, 3) << "retries work over TLS too";
}

TEST_F(S3TlsTest, AnUntrustedCertificateIsRefusedWithoutRetrying) {
  auto client = MakeClient(options_);
  S3Result<GetObjectResult> got = Get(*client, "ok/untrusted");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kIo) << got.error.ToString();
  EXPECT_FALSE(got.error.retryable);
  EXPECT_EQ(got.error.attempts, 1);
}

}  // namespace
}  // namespace stratacache::s3::testing
