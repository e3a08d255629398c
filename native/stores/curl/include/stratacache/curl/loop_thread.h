// A CurlLoop running on a thread of its own until this goes: then the loop stops (completing what is still open
// with kCancelled) and the thread is joined, or detached when this goes on the loop's own thread (from one of its
// callbacks), in which case the thread finishes by itself, keeping `owner` alive until then.
#pragma once

#include <memory>
#include <thread>

#include "stratacache/curl/curl_loop.h"

namespace stratacache::curl {

class LoopThread {
 public:
  explicit LoopThread(std::shared_ptr<CurlLoop> loop, std::shared_ptr<const void> owner = nullptr);
  ~LoopThread();
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

 private:
  const std::shared_ptr<CurlLoop> loop_;
  std::thread thread_;
};

}  // namespace stratacache::curl
