// Single-flight: concurrent misses of one key run its loader once. The first caller to join a key's flight leads
// it (runs the loader, then completes the flight); later callers wait for its outcome. The table lives in the
// core so that every thread sharing a chain (worker threads of a process) joins the same flights; in the
// WebAssembly build it serves the one thread the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stratacache/bytes.h"
#include "stratacache/key.h"
#include "stratacache/status.h"

namespace stratacache {

class SingleFlight {
 public:
  // Receives a flight's outcome exactly once: the value, or why there is none (kAborted when the waiter left).
  using Waiter = std::function<void(const Status& status, const Bytes& value)>;

  struct Ticket {
    uint64_t flight = 0;  // the flight led or joined
    uint64_t waiter = 0;  // 0 for the leader
    bool leader() const { return waiter == 0; }
  };

  // Leads a new flight for `key`, or waits on the one in the air. `make_waiter` is called (under the table's lock,
  // so it must not call back into this table) only when the caller waits.
  Ticket Join(const Key& key, const std::function<Waiter()>& make_waiter);
  // Withdraws a waiter (its caller gave up): it receives kAborted now, and the flight carries on for the others.
  // False when the flight had already completed.
  bool Leave(const Key& key, uint64_t waiter);
  // Ends the flight, delivering the outcome to every waiter still there; returns how many received it.
  size_t Complete(const Key& key, uint64_t flight, const Status& status, const Bytes& value);
  size_t in_flight() const;

 private:
  struct Flight {
    uint64_t id;
    std::vector<std::pair<uint64_t, Waiter>> waiters;
  };

  static std::string Slot(const Key& key) { return key.ns() + '\0' + key.text(); }

  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<std::string, Flight> flights_;
};

}  // namespace stratacache
