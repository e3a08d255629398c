// The S3 response parsers on arbitrary bytes: no crash, leak or undefined behaviour (ASan + UBSan), and
// text that XmlEscape accepts comes back unchanged through the error-document parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3_xml.h"

using namespace stratacache::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseErrorDocument(input);
  ParseListObjectsV2(input);
  ParseUploadId(input);
  ParseCompletedEtag(input);
  ParseDeleteResult(input);

  if (std::optional<std::string> escaped = XmlEscape(input)) {
    const std::string document = "<Error><Code>" + *escaped + "</Code><Message>m</Message></Error>";
    std::optional<ErrorDocument> parsed = ParseErrorDocument(document);
    // Expat rejects some text that XML 1.0 allows only in other encodings (invalid UTF-8): those may not parse.
    if (parsed && parsed->code != input) std::abort();
  }
  return 0;
}
