// A C++ store's line to the JavaScript driver that does its I/O (IndexedDB, fetch): requests go out as
// `driver[method](request, ...args)`, and the driver answers each by calling the module function driverComplete
// (Complete below) with the channel's id, the request's id, an error (null when none) and the result. Nothing
// blocks; answers for a channel that is gone are dropped.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>

namespace stratacache::wasm {

class DriverChannel {
 public:
  using Answer = std::function<void(emscripten::val error, emscripten::val result)>;

  // Tells the driver its channel id (`driver.attach(id)`).
  explicit DriverChannel(emscripten::val driver);
  // Closes the driver (`driver.close()`).
  ~DriverChannel();
  DriverChannel(const DriverChannel&) = delete;
  DriverChannel& operator=(const DriverChannel&) = delete;

  template <class... Args>
  void Send(const char* method, Answer answer, Args&&... args) {
    driver_.call<void>(method, Expect(std::move(answer)), std::forward<Args>(args)...);
  }

  // Calls `driver[method]()`, which expects no answer.
  void Call(const char* method) { driver_.call<void>(method); }

  // A request id whose answer runs `answer`, for a request sent as an argument of another.
  uint32_t Expect(Answer answer) {
    const uint32_t request = next_request_++;
    pending_.emplace(request, std::move(answer));
    return request;
  }

  static void Complete(uint32_t channel_id, uint32_t request, emscripten::val error, emscripten::val result);

 private:
  emscripten::val driver_;
  const uint32_t id_;
  uint32_t next_request_ = 1;
  std::unordered_map<uint32_t, Answer> pending_;
};

}  // namespace stratacache::wasm
