#include "custom_store.h"

#include "js_bytes.h"

namespace stratacache::wasm {

using emscripten::val;

void WasmCustomStore::Send(Call call, ReplyDone done) {
  const char* method = CustomMethodName(call.method);
  DriverChannel::Answer answer = [method = call.method, done = std::move(done)](val error, val result) {
    Reply reply;
    if (!error.isNull() && !error.isUndefined()) {
      reply.status = Status(StatusCode::kUnavailable, error["message"].as<std::string>());
    } else if (method == Method::kGet) {
      if (!result.isUndefined()) reply.value = BytesFromJs(result);
    } else {
      reply.found = result.as<bool>();
    }
    done(std::move(reply));
  };
  switch (call.method) {
    case Method::kClear:
      return channel_.Send(method, std::move(answer));
    case Method::kSet:
      return channel_.Send(method, std::move(answer), call.name, BytesToJs(call.value),
                           call.ttl_ms ? val(static_cast<double>(*call.ttl_ms)) : val::undefined());
    default:
      return channel_.Send(method, std::move(answer), call.name);
  }
}

}  // namespace stratacache::wasm
