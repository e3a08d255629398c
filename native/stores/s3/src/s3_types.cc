#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

const std::string* ObjectInfo::FindMetadata(std::string_view name) const {
  for (const auto& [key, value] : metadata) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace stratacache::s3
