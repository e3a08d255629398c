#include "cache_registry.h"

#include <map>
#include <mutex>

namespace stratacache::node {

namespace {

struct Registered {
  std::string fingerprint;
  std::weak_ptr<TierChain> chain;
};

std::mutex registry_mu;
std::map<std::string, Registered>& Registry() {
  static auto* registry = new std::map<std::string, Registered>();  // never destroyed: workers may outlive exit
  return *registry;
}

}  // namespace

Status AcquireSharedChain(const std::string& name, const std::string& fingerprint, const ChainBuilder& build,
                          std::shared_ptr<TierChain>* chain) {
  std::lock_guard lock(registry_mu);
  auto& registry = Registry();
  auto it = registry.find(name);
  if (it != registry.end()) {
    if (auto existing = it->second.chain.lock()) {
      if (it->second.fingerprint != fingerprint) {
        return Status(StatusCode::kInvalidArg,
                      "shared cache '" + name + "' is already open with other options");
      }
      *chain = std::move(existing);
      return Status::Ok();
    }
  }
  Status status = build(chain);
  if (!status.ok()) return status;
  registry[name] = Registered{fingerprint, *chain};
  return Status::Ok();
}

}  // namespace stratacache::node
