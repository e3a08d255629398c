#include "stratacache/single_flight.h"

namespace stratacache {

SingleFlight::Ticket SingleFlight::Join(const Key& key, const std::function<Waiter()>& make_waiter) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = flights_.try_emplace(Slot(key));
  Flight& flight = it->second;
  if (inserted) {
    flight.id = next_id_++;
    return Ticket{flight.id, 0};
  }
  const uint64_t waiter = next_id_++;
  flight.waiters.emplace_back(waiter, make_waiter());
  return Ticket{flight.id, waiter};
}

bool SingleFlight::Leave(const Key& key, uint64_t waiter) {
  Waiter left;
  {
    std::lock_guard lock(mu_);
    auto it = flights_.find(Slot(key));
    if (it == flights_.end()) return false;
    auto& waiters = it->second.waiters;
    for (auto w = waiters.begin(); w != waiters.end(); ++w) {
      if (w->first != waiter) continue;
      left = std::move(w->second);
      waiters.erase(w);
      break;
    }
  }
  if (!left) return false;
  left(Status(StatusCode::kAborted, "the wait was aborted"), Bytes());
  return true;
}

size_t SingleFlight::Complete(const Key& key, uint64_t flight, const Status& status, const Bytes& value) {
  std::vector<std::pair<uint64_t, Waiter>> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = flights_.find(Slot(key));
    if (it == flights_.end() || it->second.id != flight) return 0;
    waiters = std::move(it->second.waiters);
    flights_.erase(it);
  }
  // Outside the lock: a waiter may join the key's next flight at once.
  for (auto& [id, waiter] : waiters) waiter(status, value);
  return waiters.size();
}

size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mu_);
  return flights_.size();
}

}  // namespace stratacache
