// Module entry: the cache, frame, listing and S3 mount functions, and one promise bridge per JavaScript environment.
#include <napi.h>

#include "addon_data.h"
#include "frames.h"
#include "listing.h"
#include "native_cache.h"
#include "s3_mount.h"

namespace stratacache::node {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData(env));
  DefineCacheFunctions(env, exports);
  DefineFrameFunctions(env, exports);
  DefineListingFunctions(env, exports);
  DefineS3MountFunctions(env, exports);
  return exports;
}

NODE_API_MODULE(stratacache, Init)

}  // namespace stratacache::node
