// A store that answers from its own thread, as the disk and S3 stores do: each operation runs on a worker
// thread over a real RamStore, and its completion is called there, after the caller has returned. It lets the
// core's asynchronous paths be tested before a slow store exists, and can be told to fail.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "stratacache/ram_store.h"

namespace stratacache::testing {

class ThreadedStore final : public Store {
 public:
  ThreadedStore(uint64_t limit, std::shared_ptr<const Clock> clock)
      : ram_(RamStoreOptions{limit, 1}, std::move(clock)), worker_([this] { Run(); }) {}
  ~ThreadedStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  // While set, every operation fails with `code` (an I/O error unless told otherwise).
  void set_failing(bool failing, StatusCode code = StatusCode::kIo) {
    failure_code_ = code;
    failing_ = failing;
  }
  int operations() const { return operations_; }
  // While held, posted operations wait in the queue, so that a test can look at work in flight.
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }

  void Get(const Key& key, GetDone done) override {
    Post([this, key, done] { failing_ ? done(Failure(), std::nullopt) : done(Status::Ok(), ram_.Lookup(key)); });
  }
  void Has(const Key& key, FoundDone done) override {
    Post([this, key, done] { failing_ ? done(Failure(), false) : done(Status::Ok(), ram_.Contains(key)); });
  }
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) override {
    Post([this, key, value, expires_at_ms, done] {
      done(failing_ ? Failure() : ram_.Insert(key, value, expires_at_ms));
    });
  }
  void Delete(const Key& key, FoundDone done) override {
    Post([this, key, done] { failing_ ? done(Failure(), false) : done(Status::Ok(), ram_.Erase(key)); });
  }
  void Clear(Done done) override {
    Post([this, done] {
      if (failing_) return done(Failure());
      ram_.EraseAll();
      done(Status::Ok());
    });
  }
  void Sweep() override { ram_.Sweep(); }
  StoreCounters Counters() const override { return ram_.Counters(); }

  // Waits until every posted operation has completed.
  void Drain() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
  }

 private:
  Status Failure() const { return Status(failure_code_, "injected failure"); }

  void Post(std::function<void()> op) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(op));
      ++operations_;
    }
    cv_.notify_all();
  }
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || (!held_ && !queue_.empty()); });
      if (queue_.empty()) return;
      auto op = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      op();
      lock.lock();
      busy_ = false;
      idle_cv_.notify_all();
    }
  }

  RamStore ram_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  bool busy_ = false;
  bool held_ = false;
  std::atomic<bool> failing_{false};
  std::atomic<StatusCode> failure_code_{StatusCode::kIo};
  std::atomic<int> operations_{0};
  std::thread worker_;
};

}  // namespace stratacache::testing
