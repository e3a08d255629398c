// The XML of the S3 API: listings (entities, unicode, url-encoded keys, continuation), error documents, batch
// delete results, and documents that must be refused.
#include "s3_xml.h"

#include <gtest/gtest.h>

#include "xml_reader.h"

namespace stratacache::s3 {
namespace {

constexpr char kPage[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>p/a &amp; b &lt;c&gt; &#x1F600; &#233;</Key>
    <LastModified>2009-10-12T17:50:30.123Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents><Key>p/日本語/ключ</Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>p/dir/</Prefix></CommonPrefixes>
</ListBucketResult>)";

TEST(ParseListObjectsV2, ReadsKeysWithEntitiesAndUnicode) {
  S3Result<ListObjectsPage> page = ParseListObjectsV2(kPage);
  ASSERT_TRUE(page.ok()) << page.error.message;
  ASSERT_EQ(page.value.objects.size(), 2u);
  const ObjectSummary& first = page.value.objects[0];
  EXPECT_EQ(first.key, "p/a & b <c> \xF0\x9F\x98\x80 \xC3\xA9");
  EXPECT_EQ(first.etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(first.size, 434234u);
  EXPECT_EQ(first.last_modified_ms, 1255369830123);
  EXPECT_EQ(page.value.objects[1].key, "p/日本語/ключ");
  EXPECT_EQ(page.value.objects[1].size, 0u);
  EXPECT_EQ(page.value.common_prefixes, std::vector<std::string>{"p/dir/"});
  EXPECT_TRUE(page.value.is_truncated);
  EXPECT_EQ(page.value.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(ParseListObjectsV2, DecodesUrlEncodedKeysOnlyWhenTheResponseSaysSo) {
  const std::string encoded =
      "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
      "<Contents><Key>a%01b+c%2Bd</Key></Contents><CommonPrefixes><Prefix>x%2Fy%2F</Prefix></CommonPrefixes>"
      "</ListBucketResult>";
  S3Result<ListObjectsPage> page = ParseListObjectsV2(encoded);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value.objects[0].key,
            "a\x01"
            "b c+d");
  EXPECT_EQ(page.value.common_prefixes[0], "x/y/");
  EXPECT_FALSE(page.value.is_truncated);

  page = ParseListObjectsV2("<ListBucketResult><Contents><Key>a+b%2B</Key></Contents></ListBucketResult>");
  EXPECT_EQ(page.value.objects[0].key, "a+b%2B");
}

TEST(ParseListObjectsV2, ReadsPrefixedNamespaces) {
  S3Result<ListObjectsPage> page = ParseListObjectsV2(
      "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<s3:Contents><s3:Key>k</s3:Key></s3:Contents></s3:ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page.value.objects[0].key, "k");
}

TEST(ParseListObjectsV2, ReadsAHugeListing) {
  std::string xml = "<ListBucketResult>";
  constexpr int kKeys = 100'000;
  for (int i = 0; i < kKeys; ++i) {
    xml += "<Contents><Key>key/" + std::to_string(i) + "</Key><Size>" + std::to_string(i) + "</Size></Contents>";
  }
  xml += "<IsTruncated>false</IsTruncated></ListBucketResult>";
  S3Result<ListObjectsPage> page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.value.objects.size(), static_cast<size_t>(kKeys));
  EXPECT_EQ(page.value.objects.back().key, "key/99999");
  EXPECT_EQ(page.value.objects.back().size, 99999u);
}

TEST(ParseListObjectsV2, RefusesBrokenOrForeignDocuments) {
  for (const char* bad : {"", "<ListBucketResult><Contents><Key>a</Contents>", "<Other/>", "not xml",
                          "<ListBucketResult><Key>&undefined;</Key></ListBucketResult>"}) {
    S3Result<ListObjectsPage> page = ParseListObjectsV2(bad);
    EXPECT_EQ(page.error.kind, S3ErrorKind::kServer) << bad;
  }
}

TEST(ReadXml, RefusesDoctypesAndSoEntityExpansion) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<ListBucketResult><Contents><Key>&lol3;</Key></Contents></ListBucketResult>";
  EXPECT_EQ(ReadXml(laughs, {nullptr, [](std::string_view, std::string_view) {}}), "a DOCTYPE is not accepted");
  const std::string external =
      "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Error><Code>&e;</Code></Error>";
  EXPECT_FALSE(ParseErrorDocument(external).has_value());
  EXPECT_EQ(ParseListObjectsV2(laughs).error.kind, S3ErrorKind::kServer);
}

TEST(ParseErrorDocument, ReadsCodeMessageAndRequestIdOnly) {
  std::optional<ErrorDocument> error = ParseErrorDocument(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match</Message>"
      "<AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256...</StringToSign>"
      "<SignatureProvided>abc123</SignatureProvided><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->message, "The request signature we calculated does not match");
  EXPECT_EQ(error->request_id, "4442587FB7D0A2F9");
  EXPECT_FALSE(ParseErrorDocument("<ListBucketResult/>").has_value());
  EXPECT_FALSE(ParseErrorDocument("").has_value());
}

TEST(ResultXml, ReadsUploadIdAndTheEtagsOfCompletionsAndCopies) {
  EXPECT_EQ(ParseUploadId("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                          "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_EQ(ParseUploadId("<Error/>"), "");
  EXPECT_EQ(ParseCompletedEtag("<CompleteMultipartUploadResult><ETag>\"3858f-2\"</ETag>"
                               "</CompleteMultipartUploadResult>"),
            "\"3858f-2\"");
  EXPECT_EQ(ParseCopiedEtag("<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
                            "<ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>"),
            "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(ParseCopiedEtag("<Error/>"), "");
  EXPECT_EQ(CompleteMultipartUploadXml({{1, "\"a\""}, {2, "\"b&c\""}}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b&amp;c&quot;</ETag></Part></CompleteMultipartUpload>");
}

TEST(DeleteXml, KeysSurviveTheRoundTrip) {
  const std::vector<std::string> keys = {"plain", "a&b<c>\"d'", "line\r\nbreak\ttab", "ünï/cødé"};
  std::vector<std::string> read;
  const std::string problem =
      ReadXml(DeleteObjectsXml(keys), {nullptr, [&](std::string_view path, std::string_view text) {
                                         if (path == "Delete/Object/Key") read.emplace_back(text);
                                       }});
  EXPECT_EQ(problem, "");
  EXPECT_EQ(read, keys);
  EXPECT_FALSE(XmlEscape("bell\x07").has_value());
}

TEST(ParseDeleteResult, ListsFailuresOnly) {
  S3Result<std::vector<DeleteFailure>> failures = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>gone</Key></Deleted>"
      "<Error><Key>kept</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>");
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures.value.size(), 1u);
  EXPECT_EQ(failures.value[0].key, "kept");
  EXPECT_EQ(failures.value[0].s3_code, "AccessDenied");
  EXPECT_EQ(ParseDeleteResult("<Error><Code>InternalError</Code></Error>").error.kind, S3ErrorKind::kServer);
}

}  // namespace
}  // namespace stratacache::s3
