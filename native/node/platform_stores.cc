#include "platform_stores.h"

#include "stratacache/s3/s3_store.h"

namespace stratacache::node {

std::unique_ptr<Store> MakePlatformStore(const TierConfig& tier, Status* status) {
  if (tier.kind == "s3") return s3::MakeS3Store(tier, status);
  *status = Status(StatusCode::kInvalidArg, "tier kind '" + tier.kind + "' is not available in the Node build");
  return nullptr;
}

}  // namespace stratacache::node
