// The S3 client's small text parsers (the shared credentials file, ISO 8601 and HTTP dates) on arbitrary bytes:
// no crash or undefined behaviour (ASan + UBSan).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ini_file.h"
#include "s3_time.h"

using namespace stratacache::s3;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseIni(input);
  ParseIso8601Ms(input);
  ParseHttpDateMs(input);
  return 0;
}
