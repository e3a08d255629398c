#include "platform_stores.h"

namespace stratacache::node {

std::unique_ptr<Store> MakePlatformStore(const TierConfig& tier, Status* status) {
  *status = Status(StatusCode::kInvalidArg, "tier kind '" + tier.kind + "' is not available in the Node build");
  return nullptr;
}

}  // namespace stratacache::node
