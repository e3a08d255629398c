// The tiers only the Node build has (disk, S3, HTTP): which store serves each kind.
#pragma once

#include <memory>

#include "stratacache/cache_config.h"

namespace stratacache::node {

// A store for `tier.kind`, or nullptr with `*status` saying why (an unknown kind, a setting it cannot use).
std::unique_ptr<Store> MakePlatformStore(const TierConfig& tier, Status* status);

}  // namespace stratacache::node
