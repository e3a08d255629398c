// Calls on a store whose completions run before the call returns, as results: for tests of stores that answer
// at once.
#pragma once

#include <optional>

#include "stratacache/store.h"

namespace stratacache::testing {

struct GetResult {
  Status status;
  std::optional<Hit> hit;
};

inline GetResult GetNow(Store& store, const Key& key) {
  GetResult result;
  store.Get(key, [&](Status status, std::optional<Hit> hit) { result = {status, std::move(hit)}; });
  return result;
}

}  // namespace stratacache::testing
