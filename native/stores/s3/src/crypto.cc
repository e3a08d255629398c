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

std::string Md5Base64(std::string_view data) { return Base64(Digest(EVP_md5(), data)); }

std::string Md5Hex(std::string_view data) { return HexEncode(Digest(EVP_md5(), data)); }

std::string Base64(std::string_view data) {
  std::string encoded(4 * ((data.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock appends a NUL
  const int size = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                   reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  encoded.resize(size);
  return encoded;
}

}  // namespace stratacache::s3
