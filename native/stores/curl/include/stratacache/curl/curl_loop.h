// A client's one I/O thread: a libcurl multi handle that runs every transfer, connections kept and reused
// between them, and the tasks and timers of the code built on top. Everything but Post() and Stop() runs on
// that thread, so the state above it needs no locks.
//
// At most `max_concurrent` transfers are on the wire; the rest wait in line. A transfer's deadline (see
// HttpRequest) counts from when it was started, waiting in line included: it bounds connecting, a silent server,
// a stalled or trickling body alike.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "stratacache/curl/http_types.h"

typedef void CURL;
typedef void CURLM;

namespace stratacache::curl {

struct CurlLoopOptions {
  int max_concurrent = 16;
  std::string ca_file{};  // empty: the system's certificate authorities
  std::string user_agent = "stratacache";
};

class CurlLoop {
 public:
  using TransferDone = std::function<void(HttpResponse)>;

  explicit CurlLoop(const CurlLoopOptions& options);
  // The clock deadlines are on: steady, in milliseconds.
  static int64_t NowMs();
  ~CurlLoop();
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Any thread: runs `task` on the loop thread, in the order posted.
  void Post(std::function<void()> task);
  // Any thread: makes Run() return once the tasks already posted have run.
  void Stop();
  // The loop thread's body. On return every transfer still open has completed with kCancelled.
  void Run();

  // Loop thread only. `done` runs on the loop thread exactly once, never before StartTransfer returns.
  uint64_t StartTransfer(HttpRequest request, TransferDone done);
  // Loop thread only. Completes the transfer at once with kCancelled; harmless if it already completed.
  void CancelTransfer(uint64_t id);
  // Loop thread only. Completes every open transfer, sent or waiting, at once with kCancelled, oldest first;
  // transfers their completions start stay open.
  void CancelAll();
  // Loop thread only. Runs `task` after `delay_ms`, unless the loop stops first.
  void RunAfter(int64_t delay_ms, std::function<void()> task);

 private:
  struct Transfer;

  bool RunPostedTasks();
  void RunDueTimers();
  void SendWaitingTransfers();
  void CollectFinishedTransfers();
  // Completes with kTimeout every transfer, sent or waiting, whose deadline has passed.
  void ExpireOverdueTransfers();
  int PollTimeoutMs() const;
  CURL* TakeEasyHandle();
  // The open transfer `id`, sent or waiting, taken out of the loop; null if it already completed.
  std::unique_ptr<Transfer> Take(uint64_t id);
  void Finish(std::unique_ptr<Transfer> transfer, HttpResponse response);

  const CurlLoopOptions options_;
  CURLM* multi_;

  mutable std::mutex mutex_;  // guards posted_ only
  std::deque<std::function<void()>> posted_;
  bool stopping_ = false;

  uint64_t next_transfer_id_ = 1;
  std::deque<std::unique_ptr<Transfer>> waiting_;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_handles_;  // finished handles, reset and reused rather than rebuilt
  std::multimap<int64_t, std::function<void()>> timers_;
  using Deadlines = std::multimap<int64_t, uint64_t>;  // when -> transfer id, one entry per open transfer with one
  Deadlines deadlines_;
};

}  // namespace stratacache::curl
