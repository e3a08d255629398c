#include "stratacache/key.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace stratacache {

namespace {

// Namespaces are separated from key text by a byte that UTF-8 text cannot contain, so ("a", "bc") and ("ab", "c")
// never share a digest input.
constexpr char kNamespaceSeparator = '\xff';

Digest Hash(std::string_view ns, std::string_view text) {
  XXH128_hash_t h;
  if (ns.empty()) {
    h = XXH3_128bits(text.data(), text.size());
  } else {
    std::string joined;
    joined.reserve(ns.size() + 1 + text.size());
    joined.append(ns).push_back(kNamespaceSeparator);
    joined.append(text);
    h = XXH3_128bits(joined.data(), joined.size());
  }
  return Digest{h.high64, h.low64};
}

}  // namespace

Key::Key(std::string_view ns, std::string_view text) : ns_(ns), text_(text), digest_(Hash(ns, text)) {}

std::string Digest::ToHex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = kHex[(high >> (4 * i)) & 0xf];
    out[31 - i] = kHex[(low >> (4 * i)) & 0xf];
  }
  return out;
}

}  // namespace stratacache
