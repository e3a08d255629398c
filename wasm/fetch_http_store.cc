#include "fetch_http_store.h"

#include "js_bytes.h"

namespace stratacache::wasm {

using emscripten::val;

namespace {

// fetch rejects with a DOMException (TimeoutError, AbortError) or a TypeError (refused, unreachable, CORS).
Status FetchFailure(const val& error) {
  const std::string name = error["name"].isString() ? error["name"].as<std::string>() : "Error";
  const std::string message = error["message"].isString() ? error["message"].as<std::string>() : "";
  if (name == "TimeoutError") return Status(StatusCode::kTimeout, "timed out: " + message);
  if (name == "AbortError") return Status(StatusCode::kAborted, "aborted: " + message, false);
  if (name == "ClosedError") return Status(StatusCode::kClosed, message, false);
  return Status(StatusCode::kUnavailable, name + ": " + message);
}

}  // namespace

void FetchHttpStore::Send(const std::string& method, const std::string& url, ReplyDone done) {
  channel_.Send(
      "request",
      [done = std::move(done)](val error, val response) {
        if (!error.isNull() && !error.isUndefined()) return done(Reply{FetchFailure(error), 0, {}});
        const val body = response["body"];
        done(Reply{Status::Ok(), response["status"].as<int>(), body.isUndefined() ? Bytes() : BytesFromJs(body)});
      },
      method, url);
}

void FetchHttpStore::Cancel() { channel_.Call("cancelAll"); }

}  // namespace stratacache::wasm
