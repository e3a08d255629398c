// The custom() tier in the WebAssembly build: the core's CustomStore with its calls made by the JavaScript
// driver TypeScript opened for it (ts/custom.ts), over a DriverChannel. A failed call (the function threw,
// rejected or did not settle within the tier's timeout) comes back as a { name, message } error.
#pragma once

#include <emscripten/val.h>

#include <memory>

#include "driver_channel.h"
#include "stratacache/custom_store.h"

namespace stratacache::wasm {

class WasmCustomStore final : public CustomStore {
 public:
  WasmCustomStore(std::shared_ptr<const Clock> clock, emscripten::val driver, bool driver_has)
      : CustomStore(std::move(clock), driver_has), channel_(std::move(driver)) {}

 protected:
  void Send(Call call, ReplyDone done) override;

 private:
  DriverChannel channel_;
};

}  // namespace stratacache::wasm
