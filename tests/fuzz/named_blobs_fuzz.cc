// Named-blob frames (values that several processes and tiers read back) on arbitrary bytes: decoding never
// crashes, and a frame that decodes encodes back to the very same bytes (one frame per set of blobs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "stratacache/named_blobs.h"

using namespace stratacache;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes framed = Bytes::Copy(data, size);
  NamedBlobs blobs;
  if (!DecodeNamedBlobs(framed, &blobs).ok()) return 0;
  Bytes again;
  if (!EncodeNamedBlobs(blobs, &again).ok() || again.view() != framed.view()) std::abort();
  return 0;
}
