#include "stratacache/shared_reads.h"

namespace stratacache {

bool SharedReads::Join(const Key& key, GetDone done) {
  std::lock_guard lock(mu_);
  std::vector<GetDone>& callers = waiting_[IdOf(key)];
  callers.push_back(std::move(done));
  return callers.size() == 1;
}

void SharedReads::Finish(const Key& key, const Status& status, const std::optional<Hit>& hit) {
  std::vector<GetDone> callers;
  {
    std::lock_guard lock(mu_);
    auto found = waiting_.find(IdOf(key));
    callers = std::move(found->second);
    waiting_.erase(found);
  }
  for (GetDone& done : callers) done(status, hit);
}

}  // namespace stratacache
