// Several named blobs (a build step's `output`, `stdout`, `stderr`, `exit_code`, `metadata`, ...) framed into
// one value, so that a cache entry holds them all: they are charged, expire and are evicted together.
//
// The frame, all integers little-endian:
//   "SCNB"                         4 bytes, magic
//   version                        1 byte, 1
//   count                          4 bytes, how many blobs follow
//   count times, in byte order of their names (no name twice):
//     name length                  2 bytes, 1 to 65535
//     name                         UTF-8
//     blob length                  8 bytes
//     blob
// Nothing follows the last blob.
#pragma once

#include <map>
#include <string>

#include "stratacache/bytes.h"
#include "stratacache/status.h"

namespace stratacache {

using NamedBlobs = std::map<std::string, Bytes>;

// kInvalidArg when a name is empty or longer than 65535 bytes.
Status EncodeNamedBlobs(const NamedBlobs& blobs, Bytes* framed);

// kCorrupt when `framed` is not a well-formed frame (truncated, trailing bytes, names out of order, ...).
Status DecodeNamedBlobs(const Bytes& framed, NamedBlobs* blobs);

}  // namespace stratacache
