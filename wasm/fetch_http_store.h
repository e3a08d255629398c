// The http() tier in the WebAssembly build: the core's HttpTierStore (which decides what a reply means) with its
// requests made by a JavaScript driver with fetch (ts/http-driver.ts), over a DriverChannel. No Asyncify.
#pragma once

#include <emscripten/val.h>

#include <string>

#include "driver_channel.h"
#include "stratacache/http_tier_store.h"

namespace stratacache::wasm {

class FetchHttpStore final : public HttpTierStore {
 public:
  // `driver` is a ts/http-driver.ts HttpDriver, which holds the headers and the timeout.
  FetchHttpStore(std::string base_url, emscripten::val driver)
      : HttpTierStore(std::move(base_url)), channel_(std::move(driver)) {}

  // Ends the requests in flight with kClosed.
  void Cancel() override;

 protected:
  void Send(const std::string& method, const std::string& url, ReplyDone done) override;

 private:
  DriverChannel channel_;
};

}  // namespace stratacache::wasm
