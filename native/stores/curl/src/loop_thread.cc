#include "stratacache/curl/loop_thread.h"

namespace stratacache::curl {

LoopThread::LoopThread(std::shared_ptr<CurlLoop> loop, std::shared_ptr<const void> owner)
    : loop_(std::move(loop)), thread_([loop = loop_, owner = std::move(owner)] { loop->Run(); }) {}

LoopThread::~LoopThread() {
  loop_->Stop();
  if (std::this_thread::get_id() == thread_.get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

}  // namespace stratacache::curl
