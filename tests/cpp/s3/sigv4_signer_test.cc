// The signer against two outside references: the worked S3 examples of AWS's SigV4 documentation (intermediate
// strings included), and AWS's generic Signature V4 test suite as @aws-sdk/signature-v4 ships it.
#include "sigv4_signer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

// The credentials of AWS's S3 examples (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
const Credentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const SigningScope kExampleScope{"20130524T000000Z", "us-east-1", "s3"};
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4S3Examples, GetObjectWithRange) {
  const QueryParams query;
  const HttpHeaders headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                               {"Range", "bytes=0-9"},
                               {"x-amz-content-sha256", kEmptyHash},
                               {"x-amz-date", "20130524T000000Z"}};
  const Signature signature =
      SignV4({"GET", "/test.txt", query, headers, kEmptyHash}, kExampleScope, kExampleCredentials);
  EXPECT_EQ(signature.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                kEmptyHash +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                kEmptyHash);
  EXPECT_EQ(signature.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(signature.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Examples, PutObjectWithEscapedKey) {
  const std::string body_hash = Sha256Hex("Welcome to Amazon S3.");
  ASSERT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const QueryParams query;
  const HttpHeaders headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                               {"x-amz-date", "20130524T000000Z"},
                               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                               {"x-amz-content-sha256", body_hash}};
  const std::string path = "/" + UriEncode("test$file.text", true);
  ASSERT_EQ(path, "/test%24file.text");
  const Signature signature = SignV4({"PUT", path, query, headers, body_hash}, kExampleScope, kExampleCredentials);
  EXPECT_EQ(signature.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(signature.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(signature.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, GetBucketLifecycleWithBareQueryName) {
  const QueryParams query = {{"lifecycle", ""}};
  const HttpHeaders headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                               {"x-amz-date", "20130524T000000Z"},
                               {"x-amz-content-sha256", kEmptyHash}};
  const Signature signature = SignV4({"GET", "/", query, headers, kEmptyHash}, kExampleScope, kExampleCredentials);
  EXPECT_NE(signature.canonical_request.find("\n/\nlifecycle=\n"), std::string::npos);
  EXPECT_EQ(signature.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Examples, ListObjectsWithSortedQuery) {
  const QueryParams query = {{"prefix", "J"}, {"max-keys", "2"}};
  const HttpHeaders headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                               {"x-amz-date", "20130524T000000Z"},
                               {"x-amz-content-sha256", kEmptyHash}};
  const Signature signature = SignV4({"GET", "/", query, headers, kEmptyHash}, kExampleScope, kExampleCredentials);
  EXPECT_NE(signature.canonical_request.find("\n/\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(signature.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(signature.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4AwsSuite, EveryCaseMatchesTheSdk) {
  std::ifstream in(STRATA_S3_TESTDATA_DIR "/sigv4_suite.json");
  ASSERT_TRUE(in) << "missing testdata/sigv4_suite.json";
  const nlohmann::json suite = nlohmann::json::parse(in);
  const Credentials credentials{suite["credentials"]["accessKeyId"], suite["credentials"]["secretAccessKey"], ""};
  const std::string region = suite["region"];
  const std::string service = suite["service"];

  ASSERT_GE(suite["cases"].size(), 20u);
  for (const auto& test : suite["cases"]) {
    SCOPED_TRACE(test["name"].get<std::string>());
    QueryParams query;
    for (const auto& pair : test["query"]) query.emplace_back(pair[0], pair[1]);
    HttpHeaders headers;
    std::string amz_date;
    for (const auto& pair : test["headers"]) {
      headers.push_back({pair[0], pair[1]});
      if (pair[0] == "x-amz-date") amz_date = pair[1];
    }
    // The suite gives paths decoded; S3 signs the path as sent, encoded once.
    const std::string path = UriEncode(test["path"].get<std::string>(), true);
    const std::string payload_hash = Sha256Hex(test["body"].get<std::string>());
    const std::string method = test["method"];
    const Signature signature =
        SignV4({method, path, query, headers, payload_hash}, {amz_date, region, service}, credentials);
    EXPECT_EQ(signature.authorization, test["authorization"].get<std::string>());
  }
}

TEST(SigV4, HeaderValuesAreTrimmedAndFolded) {
  const QueryParams query;
  const HttpHeaders headers = {{"My-Header", "  a   b\t c  "}, {"host", "h"}, {"my-header", "d"}};
  const Signature signature = SignV4({"GET", "/", query, headers, kEmptyHash}, kExampleScope, kExampleCredentials);
  EXPECT_NE(signature.canonical_request.find("\nhost:h\nmy-header:a b c,d\n"), std::string::npos);
  EXPECT_EQ(signature.signed_headers, "host;my-header");
}

TEST(SigV4, AmzDateIsUtcBasicFormat) {
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
  EXPECT_EQ(AmzDate(1369353600000), "20130524T000000Z");
  EXPECT_EQ(AmzDate(1440938160999), "20150830T123600Z");
}

}  // namespace
}  // namespace stratacache::s3
