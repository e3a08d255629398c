#include "s3_xml.h"

#include <charconv>
#include <functional>

#include "s3_time.h"
#include "uri_encode.h"
#include "xml_reader.h"

namespace stratacache::s3 {
namespace {

S3Error Unreadable(std::string_view what, const std::string& why) {
  return S3Error::Make(S3ErrorKind::kServer, "unreadable " + std::string(what) + ": " + why);
}

uint64_t ParseSize(std::string_view text) {
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

using OnElement = std::function<void(std::string_view path, std::string_view text)>;

// Reads a document whose root element must be `root`, reporting each element below it by its path from the
// root ("Contents/Key"). Returns "" or what was wrong.
std::string ReadDocument(std::string_view xml, std::string_view root, const OnElement& on_element) {
  bool rooted = false;
  std::string problem =
      ReadXml(xml, {[&](std::string_view path) { rooted |= path == root; },
                    [&](std::string_view path, std::string_view text) {
                      if (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/') {
                        on_element(path.substr(root.size() + 1), text);
                      }
                    }});
  if (problem.empty() && !rooted) problem = "no " + std::string(root) + " element";
  return problem;
}

// The text of the first element at `path` below `root`, or "".
std::string FindText(std::string_view xml, std::string_view root, std::string_view path) {
  std::optional<std::string> found;
  ReadDocument(xml, root, [&](std::string_view at, std::string_view text) {
    if (!found && at == path) found = std::string(text);
  });
  return found.value_or("");
}

}  // namespace

std::optional<ErrorDocument> ParseErrorDocument(std::string_view xml) {
  ErrorDocument document;
  const std::string problem = ReadDocument(xml, "Error", [&](std::string_view path, std::string_view text) {
    if (path == "Code") document.code = text;
    if (path == "Message") document.message = text;
    if (path == "RequestId") document.request_id = text;
  });
  if (!problem.empty()) return std::nullopt;
  return document;
}

S3Result<ListObjectsPage> ParseListObjectsV2(std::string_view xml) {
  ListObjectsPage page;
  ObjectSummary object;
  bool url_encoded = false;
  const std::string problem = ReadDocument(xml, "ListBucketResult", [&](std::string_view path, std::string_view text) {
    if (path == "Contents/Key") {
      object.key = text;
    } else if (path == "Contents/Size") {
      object.size = ParseSize(text);
    } else if (path == "Contents/ETag") {
      object.etag = text;
    } else if (path == "Contents/LastModified") {
      object.last_modified_ms = ParseIso8601Ms(text);
    } else if (path == "Contents") {
      page.objects.push_back(std::move(object));
      object = ObjectSummary();
    } else if (path == "CommonPrefixes/Prefix") {
      page.common_prefixes.emplace_back(text);
    } else if (path == "IsTruncated") {
      page.is_truncated = text == "true";
    } else if (path == "NextContinuationToken") {
      page.next_continuation_token = text;
    } else if (path == "EncodingType") {
      url_encoded = text == "url";
    }
  });
  if (!problem.empty()) return {Unreadable("listing", problem)};
  if (url_encoded) {
    for (ObjectSummary& summary : page.objects) summary.key = FormDecode(summary.key);
    for (std::string& prefix : page.common_prefixes) prefix = FormDecode(prefix);
  }
  return {S3Error::Ok(), std::move(page)};
}

std::string ParseUploadId(std::string_view xml) { return FindText(xml, "InitiateMultipartUploadResult", "UploadId"); }

std::string ParseCompletedEtag(std::string_view xml) { return FindText(xml, "CompleteMultipartUploadResult", "ETag"); }

std::string ParseCopiedEtag(std::string_view xml) { return FindText(xml, "CopyObjectResult", "ETag"); }

S3Result<std::vector<DeleteFailure>> ParseDeleteResult(std::string_view xml) {
  std::vector<DeleteFailure> failures;
  DeleteFailure failure;
  const std::string problem = ReadDocument(xml, "DeleteResult", [&](std::string_view path, std::string_view text) {
    if (path == "Error/Key") failure.key = text;
    if (path == "Error/Code") failure.s3_code = text;
    if (path == "Error/Message") failure.message = text;
    if (path == "Error") {
      failures.push_back(std::move(failure));
      failure = DeleteFailure();
    }
  });
  if (!problem.empty()) return {Unreadable("DeleteObjects result", problem)};
  return {S3Error::Ok(), std::move(failures)};
}

std::optional<std::string> XmlEscape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      case '\r':
        escaped += "&#13;";
        break;
      case '\n':
        escaped += "&#10;";
        break;
      case '\t':
        escaped += "&#9;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
        escaped += c;
    }
  }
  return escaped;
}

std::string CompleteMultipartUploadXml(const std::vector<CompletedPart>& parts) {
  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const CompletedPart& part : parts) {
    xml += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" +
           XmlEscape(part.etag).value_or("") + "</ETag></Part>";
  }
  return xml + "</CompleteMultipartUpload>";
}

std::string DeleteObjectsXml(const std::vector<std::string>& keys) {
  std::string xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const std::string& key : keys) xml += "<Object><Key>" + XmlEscape(key).value_or("") + "</Key></Object>";
  return xml + "</Delete>";
}

}  // namespace stratacache::s3
