// URI encoding, canonical queries, endpoint parsing and the two addressing styles.
#include <gtest/gtest.h>

#include "endpoint.h"
#include "query_string.h"
#include "request_target.h"
#include "uri_encode.h"

namespace stratacache::s3 {
namespace {

Endpoint MustParse(std::string_view url) {
  S3Result<Endpoint> endpoint = Endpoint::Parse(url);
  EXPECT_TRUE(endpoint.ok()) << endpoint.error.message;
  return endpoint.value;
}

TEST(UriEncode, KeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d?e=f&g%", false), "a%20b%2Bc%2Fd%3Fe%3Df%26g%25");
  EXPECT_EQ(UriEncode("dir/a b", true), "dir/a%20b");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
}

TEST(FormDecode, UndoesPercentAndPlus) {
  EXPECT_EQ(FormDecode("a+b%2Fc%e2%82%ac"), "a b/c\xe2\x82\xac");
  EXPECT_EQ(FormDecode("100%"), "100%");
  EXPECT_EQ(FormDecode("%zz"), "%zz");
}

TEST(CanonicalQuery, SortsByEncodedNameThenValue) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b"}, {"list-type", "2"}, {"delimiter", "/"}}),
            "delimiter=%2F&list-type=2&prefix=a%20b");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"b", "1"}, {"a", ""}}), "a=&b=1&b=2");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(Endpoint, ParsesSchemeHostPortAndBase) {
  Endpoint endpoint = MustParse("HTTP://LocalHost:9000/base/");
  EXPECT_FALSE(endpoint.https);
  EXPECT_EQ(endpoint.host, "localhost");
  EXPECT_EQ(endpoint.port, 9000);
  EXPECT_EQ(endpoint.base_path, "/base");
  EXPECT_EQ(endpoint.Authority(), "localhost:9000");

  endpoint = MustParse("https://s3.eu-west-1.amazonaws.com:443");
  EXPECT_EQ(endpoint.port, 0) << "the default port is left out of the Host header";
  EXPECT_EQ(endpoint.Authority(), "s3.eu-west-1.amazonaws.com");

  endpoint = MustParse("http://[::1]:4568");
  EXPECT_EQ(endpoint.host, "[::1]");
  EXPECT_EQ(endpoint.port, 4568);
  EXPECT_TRUE(endpoint.HostIsLiteral());
  EXPECT_TRUE(MustParse("http://127.0.0.1").HostIsLiteral());
  EXPECT_FALSE(MustParse("https://minio.internal").HostIsLiteral());
}

TEST(Endpoint, RefusesWhatItCannotAddress) {
  for (const char* bad : {"ftp://host", "host:9000", "http://", "http://user:pw@host", "http://host:0",
                          "http://host:65536", "http://host:12x", "http://host/?q", "http://[::1"}) {
    S3Result<Endpoint> endpoint = Endpoint::Parse(bad);
    EXPECT_EQ(endpoint.error.kind, S3ErrorKind::kInvalidArg) << bad;
  }
}

TEST(BucketNames, VirtualHostableOnlyWhenDnsSafe) {
  EXPECT_TRUE(IsVirtualHostable("my-bucket", true));
  EXPECT_TRUE(IsVirtualHostable("my.bucket", false));
  EXPECT_FALSE(IsVirtualHostable("my.bucket", true)) << "dots break the wildcard certificate";
  EXPECT_FALSE(IsVirtualHostable("My_Bucket", false));
  EXPECT_FALSE(IsVirtualHostable("192.168.1.1", false));
  EXPECT_FALSE(IsVirtualHostable("a..b", false));
  EXPECT_FALSE(IsVirtualHostable("-ab", false));
  EXPECT_TRUE(CheckBucketName("Legacy_Bucket").ok());
  EXPECT_FALSE(CheckBucketName("a/b").ok());
  EXPECT_FALSE(CheckBucketName("ab").ok());
  EXPECT_FALSE(CheckBucketName("bucket?x").ok());
}

TEST(MakeTarget, VirtualHostedPutsTheBucketInTheHost) {
  const Endpoint endpoint = MustParse("https://s3.eu-west-1.amazonaws.com");
  const RequestTarget target = MakeTarget(endpoint, false, "my-bucket", "dir/a b.txt", {{"x-id", "1"}});
  EXPECT_EQ(target.host, "my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(target.canonical_uri, "/dir/a%20b.txt");
  EXPECT_EQ(target.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b.txt?x-id=1");
  EXPECT_EQ(MakeTarget(endpoint, false, "my-bucket", "", {}).canonical_uri, "/");
}

TEST(MakeTarget, PathStyleWhenAskedForOrNeeded) {
  const Endpoint aws = MustParse("https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(MakeTarget(aws, true, "my-bucket", "k", {}).url, "https://s3.eu-west-1.amazonaws.com/my-bucket/k");
  EXPECT_EQ(MakeTarget(aws, false, "my.bucket", "k", {}).url, "https://s3.eu-west-1.amazonaws.com/my.bucket/k");

  const Endpoint local = MustParse("http://127.0.0.1:4568/prefix");
  const RequestTarget target = MakeTarget(local, false, "bucket", "", {{"list-type", "2"}});
  EXPECT_EQ(target.host, "127.0.0.1:4568");
  EXPECT_EQ(target.canonical_uri, "/prefix/bucket");
  EXPECT_EQ(target.url, "http://127.0.0.1:4568/prefix/bucket?list-type=2");
}

TEST(MakeTarget, KeysAreSentExactlyAsSigned) {
  const Endpoint local = MustParse("http://127.0.0.1:4568");
  EXPECT_EQ(MakeTarget(local, true, "b", "a/../b//c", {}).canonical_uri, "/b/a/../b//c");
  EXPECT_EQ(MakeTarget(local, true, "b", "/lead", {}).canonical_uri, "/b//lead");
  EXPECT_EQ(MakeTarget(local, true, "b", "q?#&=+", {}).canonical_uri, "/b/q%3F%23%26%3D%2B");
}

}  // namespace
}  // namespace stratacache::s3
