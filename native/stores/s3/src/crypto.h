// The digests S3 requests need (own code, so the addon needs no libcrypto).
#pragma once

#include <string>
#include <string_view>

namespace stratacache::s3 {

// SHA-256 of `data`, as 64 lowercase hex digits (the form x-amz-content-sha256 takes).
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 of `data` under `key`, as 32 raw bytes (SigV4 chains these to derive its signing key).
std::string HmacSha256(std::string_view key, std::string_view data);
// MD5 of `data` in base64 (the form Content-MD5 takes; DeleteObjects requires it).
std::string Md5Base64(std::string_view data);
// MD5 of `data` as 32 lowercase hex digits (the ETag of an object uploaded in one request, unencrypted).
std::string Md5Hex(std::string_view data);
// Standard base64 with padding, no line breaks.
std::string Base64(std::string_view data);
std::string HexEncode(std::string_view bytes);

}  // namespace stratacache::s3
