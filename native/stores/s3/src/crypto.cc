#include "crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace stratacache::s3 {
namespace {

// One-shot digest; EVP_Digest cannot fail for these algorithms short of running out of memory.
std::string Digest(const EVP_MD* algorithm, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, algorithm, nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Digest(EVP_sha256(), data)); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string Md5Base64(std::string_view data) {
  const std::string digest = Digest(EVP_md5(), data);
  unsigned char encoded[32];  // base64 of 16 bytes is 24 characters plus a NUL
  const int size =
      EVP_EncodeBlock(encoded, reinterpret_cast<const unsigned char*>(digest.data()), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(encoded), size);
}

}  // namespace stratacache::s3
