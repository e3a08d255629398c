// Caches shared by name across the worker threads of one process. The addon is loaded once per process, so this
// registry is too: every `Cache.open({ shared: 'name' })` in any worker gets the same tier chain, and the chain
// is freed when the last handle lets go of it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "stratacache/status.h"
#include "stratacache/tier_chain.h"

namespace stratacache::node {

using ChainBuilder = std::function<Status(std::shared_ptr<TierChain>*)>;

// The chain registered under `name`, or a new one from `build`. `fingerprint` describes the options; opening an
// existing name with other options is an error rather than a silent surprise.
Status AcquireSharedChain(const std::string& name, const std::string& fingerprint, const ChainBuilder& build,
                          std::shared_ptr<TierChain>* chain);

}  // namespace stratacache::node
