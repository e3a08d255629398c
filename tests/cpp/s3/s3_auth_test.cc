// Credentials: refused ones give kAuth with the service's code and request id; temporary ones travel with their
// session token; settings come from the environment; and no message ever carries a secret, even from a server
// that echoes every credential it is sent.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <regex>

#include "s3_test_env.h"

namespace stratacache::s3::testing {
namespace {

int Rejections(const std::string& code) {
  return S3Servers::Get().Command("stats")["proxy"]["rejections"].value(code, 0);
}

void ExpectNoSecrets(const S3Error& error, const Credentials& credentials) {
  const std::string text = error.ToString();
  EXPECT_EQ(text.find(credentials.secret_access_key), std::string::npos) << text;
  if (!credentials.session_token.empty()) {
    EXPECT_EQ(text.find(credentials.session_token), std::string::npos) << text;
  }
  EXPECT_EQ(text.find(credentials.access_key_id), std::string::npos) << text;
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9a-f]{64}"))) << "a signature in: " << text;
}

TEST(S3AuthTest, AWrongSecretIsAnAuthErrorThatLeaksNothing) {
  const Credentials wrong{"S3RVER", "not-the-secret-at-all", ""};
  auto client = MakeClient(OptionsFor(S3Servers::Get().proxy_port(), wrong));
  const int before = Rejections("SignatureDoesNotMatch");
  S3Result<GetObjectResult> got = Get(*client, "auth/anything");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAuth);
  EXPECT_EQ(got.error.s3_code, "SignatureDoesNotMatch");
  EXPECT_EQ(got.error.http_status, 403);
  EXPECT_EQ(got.error.request_id, "PROXYREJECT");
  EXPECT_FALSE(got.error.retryable);
  EXPECT_EQ(got.error.attempts, 1);
  EXPECT_EQ(Rejections("SignatureDoesNotMatch"), before + 1) << "the proxy really checked the signature";
  ExpectNoSecrets(got.error, wrong);

  S3Error head = Await<S3Error>([&](auto done) { client->HeadBucket({.bucket = kBucket}, std::move(done)); });
  EXPECT_EQ(head.kind, S3ErrorKind::kAuth) << "a HEAD without an error body is still an auth error";
}

TEST(S3AuthTest, AnUnknownAccessKeyIsAnAuthError) {
  auto client = MakeClient(OptionsFor(S3Servers::Get().proxy_port(), {"AKIANOBODY", "secret", ""}));
  S3Result<PutObjectResult> put = Put(*client, "auth/put", Pattern(10, 1));
  EXPECT_EQ(put.error.kind, S3ErrorKind::kAuth);
  EXPECT_EQ(put.error.s3_code, "InvalidAccessKeyId");
}

TEST(S3AuthTest, TemporaryCredentialsTravelWithTheirToken) {
  auto client = MakeClient(OptionsFor(S3Servers::Get().proxy_port(), kTemporaryCredentials));
  const Bytes body = Pattern(2000, 9);
  ASSERT_TRUE(Put(*client, "auth/temporary", body).ok());
  EXPECT_EQ(Get(*client, "auth/temporary").value.body.view(), body.view());

  for (const std::string token : {"", "FwoGZXIvYXdzEJr//////////wrong"}) {
    Credentials tampered = kTemporaryCredentials;
    tampered.session_token = token;
    auto refused = MakeClient(OptionsFor(S3Servers::Get().proxy_port(), tampered));
    S3Result<GetObjectResult> got = Get(*refused, "auth/temporary");
    EXPECT_EQ(got.error.kind, S3ErrorKind::kAuth) << got.error.ToString();
    EXPECT_EQ(got.error.s3_code, "InvalidToken");
    ExpectNoSecrets(got.error, tampered);
  }
}

TEST(S3AuthTest, TheWrongRegionIsRefused) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().proxy_port());
  options.region = "eu-west-3";
  auto client = MakeClient(options);
  S3Result<GetObjectResult> got = Get(*client, "auth/region");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAuth);
  EXPECT_EQ(got.error.s3_code, "AuthorizationHeaderMalformed");
}

TEST(S3AuthTest, AServerThatEchoesCredentialsCannotLeakThem) {
  auto client = MakeClient(OptionsFor(S3Servers::Get().fault_port(), kTemporaryCredentials));
  S3Result<GetObjectResult> got = Get(*client, "forbidden/echo");
  EXPECT_EQ(got.error.kind, S3ErrorKind::kAuth);
  EXPECT_NE(got.error.message.find("[redacted]"), std::string::npos) << got.error.message;
  ExpectNoSecrets(got.error, kTemporaryCredentials);
}

TEST(S3AuthTest, SettingsComeFromTheEnvironment) {
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(S3Servers::Get().proxy_port());
  setenv("AWS_ACCESS_KEY_ID", kTemporaryCredentials.access_key_id.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", kTemporaryCredentials.secret_access_key.c_str(), 1);
  setenv("AWS_SESSION_TOKEN", kTemporaryCredentials.session_token.c_str(), 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_ENDPOINT_URL_S3", endpoint.c_str(), 1);
  S3Result<std::unique_ptr<S3Client>> client = S3Client::Create(S3ClientOptions());
  for (const char* name :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL_S3"}) {
    unsetenv(name);
  }
  ASSERT_TRUE(client.ok()) << client.error.ToString();
  S3Error head = Await<S3Error>([&](auto done) { client.value->HeadBucket({.bucket = kBucket}, std::move(done)); });
  EXPECT_TRUE(head.ok()) << head.ToString();
}

TEST(S3AuthTest, BadOptionsAreRefusedAtCreation) {
  S3ClientOptions options = OptionsFor(S3Servers::Get().proxy_port());
  options.endpoint = "ftp://127.0.0.1";
  EXPECT_EQ(S3Client::Create(options).error.kind, S3ErrorKind::kInvalidArg);
  options = OptionsFor(S3Servers::Get().proxy_port());
  options.multipart_part_size = kMiB;
  EXPECT_EQ(S3Client::Create(options).error.kind, S3ErrorKind::kInvalidArg);
  options = OptionsFor(S3Servers::Get().proxy_port());
  options.max_concurrent_requests = 0;
  EXPECT_EQ(S3Client::Create(options).error.kind, S3ErrorKind::kInvalidArg);
}

}  // namespace
}  // namespace stratacache::s3::testing
