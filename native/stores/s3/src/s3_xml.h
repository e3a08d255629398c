// The XML documents of the S3 API: the responses this client reads and the request bodies it writes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stratacache/s3/s3_error.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

// <Error><Code/><Message/><RequestId/></Error>. Other fields of the document (S3 echoes the string it signed,
// the access key id, the signature it received) are deliberately not read, so they cannot reach a message.
struct ErrorDocument {
  std::string code;
  std::string message;
  std::string request_id;
};
// The error the document describes, or nullopt when it is not an <Error> document.
std::optional<ErrorDocument> ParseErrorDocument(std::string_view xml);

// A ListObjectsV2 page. Keys and prefixes are decoded when the response says it is url-encoded.
S3Result<ListObjectsPage> ParseListObjectsV2(std::string_view xml);
// The UploadId of an InitiateMultipartUploadResult, or "" if there is none.
std::string ParseUploadId(std::string_view xml);
// The ETag of a CompleteMultipartUploadResult, or "" if there is none.
std::string ParseCompletedEtag(std::string_view xml);
// The ETag of a CopyObjectResult, or "" if there is none.
std::string ParseCopiedEtag(std::string_view xml);
// The keys a DeleteObjects request could not delete.
S3Result<std::vector<DeleteFailure>> ParseDeleteResult(std::string_view xml);

struct CompletedPart {
  int number = 0;
  std::string etag;
};
std::string CompleteMultipartUploadXml(const std::vector<CompletedPart>& parts);
// A quiet batch delete (the response lists failures only). Every key must pass XmlEscape.
std::string DeleteObjectsXml(const std::vector<std::string>& keys);

// Escapes text for an XML element, carriage returns and tabs included so that they survive line-end
// normalisation; a character XML 1.0 cannot carry at all (other C0 controls) makes the result nullopt.
std::optional<std::string> XmlEscape(std::string_view text);

}  // namespace stratacache::s3
