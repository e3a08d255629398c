// What the addon keeps per JavaScript environment (the main thread and each worker thread).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "promise_bridge.h"
#include "stratacache/bytes.h"

namespace stratacache::node {

struct AddonData {
  explicit AddonData(Napi::Env env) : bridge(env) {}

  PromiseBridge bridge;

  // Buffers lent over the core's memory, by the address of the bytes, so that repeated hits on one entry return
  // the same Buffer instead of wrapping the bytes again. Weak: an entry lives while JavaScript holds its Buffer.
  std::unordered_map<const uint8_t*, Napi::Reference<Napi::Buffer<uint8_t>>> lent;
};

// Starts an asynchronous operation through `start(pending)` and returns the promise `pending` settles.
template <class Start>
Napi::Value Async(Napi::Env env, Start start) {
  auto pending = env.GetInstanceData<AddonData>()->bridge.Begin(env);
  start(pending);
  pending->Started();
  return pending->promise();
}

}  // namespace stratacache::node
