// The custom() tier in the Node build: the core's CustomStore with its calls made by a JavaScript driver
// (ts/custom.ts), as the WebAssembly build's DriverChannel does: requests go out as
// `driver[method](request, ...args)` and the driver answers each through the addon's driverComplete(channel,
// request, error, result). A call made on the driver's JavaScript thread reaches it directly; one made on
// another thread (a promotion or a write-back demotion on a store's thread) through a thread-safe function.
//
// Once the driver's environment is torn down (a worker terminated, the process exiting), or once the store is
// gone, every call in flight and every later one completes with kClosed, and nothing calls into JavaScript.
#pragma once

#include <napi.h>

#include <memory>

#include "stratacache/cache_config.h"

namespace stratacache::node {

// A store for the custom tier `tier` over its driver, `drivers[tier.name]`; nullptr with `*status` saying why
// when there is none. On the JavaScript thread.
std::unique_ptr<Store> MakeCustomStore(Napi::Env env, const Napi::Value& drivers, const TierConfig& tier,
                                       Status* status);

// driverComplete(channel, request, error, result): a driver's answer (error: { name, message }, or null).
Napi::Value CompleteDriverCall(const Napi::CallbackInfo& info);

}  // namespace stratacache::node
