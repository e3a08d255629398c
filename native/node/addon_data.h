// What the addon keeps per JavaScript environment (the main thread and each worker thread).
#pragma once

#include <napi.h>

#include "promise_bridge.h"

namespace stratacache::node {

struct AddonData {
  explicit AddonData(Napi::Env env) : bridge(env) {}
  PromiseBridge bridge;
};

}  // namespace stratacache::node
