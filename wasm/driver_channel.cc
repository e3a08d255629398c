#include "driver_channel.h"

namespace stratacache::wasm {

namespace {

std::unordered_map<uint32_t, DriverChannel*>& Channels() {
  static auto* channels = new std::unordered_map<uint32_t, DriverChannel*>();
  return *channels;
}

uint32_t NextChannelId() {
  static uint32_t next = 1;
  return next++;
}

}  // namespace

DriverChannel::DriverChannel(emscripten::val driver) : driver_(std::move(driver)), id_(NextChannelId()) {
  Channels()[id_] = this;
  driver_.call<void>("attach", id_);
}

DriverChannel::~DriverChannel() {
  Channels().erase(id_);
  driver_.call<void>("close");
}

void DriverChannel::Complete(uint32_t channel_id, uint32_t request, emscripten::val error, emscripten::val result) {
  auto channel = Channels().find(channel_id);
  if (channel == Channels().end()) return;
  auto pending = channel->second->pending_.find(request);
  if (pending == channel->second->pending_.end()) return;
  Answer answer = std::move(pending->second);
  channel->second->pending_.erase(pending);
  answer(std::move(error), std::move(result));
}

}  // namespace stratacache::wasm
