// Content-addressed entries: bytes stored under the BLAKE3-256 digest of their content (64 lowercase hex
// characters), in a namespace of their own so that no ordinary key can collide with a digest. Identical content
// is stored once, whoever puts it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "stratacache/bytes.h"
#include "stratacache/key.h"
#include "stratacache/status.h"
#include "stratacache/tier_chain.h"
#include "stratacache/ttl_rules.h"

namespace stratacache {

inline constexpr std::string_view kContentNamespace = "content";

// The BLAKE3-256 digest of `size` bytes at `data`, as 64 lowercase hex characters.
std::string ContentDigest(const void* data, size_t size);

// kInvalidArg unless `digest` is 64 lowercase hex characters.
Status CheckContentDigest(std::string_view digest);

// The key content of this digest is stored under.
Key ContentKey(std::string_view digest);

using DigestDone = std::function<void(Status, std::string digest)>;

// Stores `value` under its content key, unless a tier already holds it (then nothing is written), and reports
// its digest.
void PutContent(const std::shared_ptr<TierChain>& chain, Bytes value, const WriteOptions& write, DigestDone done);

}  // namespace stratacache
