#include "stratacache/custom_store.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "manual_clock.h"
#include "store_calls.h"

namespace stratacache {
namespace {

using testing::GetNow;
using testing::GetResult;
using testing::ManualClock;

// A driver over a map of name -> bytes that answers at once, or fails every call with `failure` when set; it
// records the calls it was sent.
class MapCustomStore final : public CustomStore {
 public:
  MapCustomStore(std::shared_ptr<ManualClock> clock, bool driver_has) : CustomStore(std::move(clock), driver_has) {}

  std::map<std::string, Bytes> entries;
  std::vector<Call> calls;
  Status failure;

 protected:
  void Send(Call call, ReplyDone done) override {
    calls.push_back(call);
    if (!failure.ok()) return done(Reply{failure});
    Reply reply;
    auto found = entries.find(call.name);
    switch (call.method) {
      case Method::kGet:
        if (found != entries.end()) reply.value = found->second;
        break;
      case Method::kHas:
        reply.found = found != entries.end();
        break;
      case Method::kSet:
        entries[call.name] = call.value;
        break;
      case Method::kDelete:
        reply.found = entries.erase(call.name) > 0;
        break;
      case Method::kClear:
        entries.clear();
        break;
    }
    done(std::move(reply));
  }
};

Status PutNow(Store& store, const Key& key, const std::string& value, int64_t expires_at_ms) {
  Status result(StatusCode::kIo, "not called");
  store.Put(key, Bytes::Copy(value), expires_at_ms, [&](Status status) { result = status; });
  return result;
}

TEST(CustomStoreTest, StoresAFrameUnderTheKeysDigestAndHandsTheStoreTheTtl) {
  auto clock = std::make_shared<ManualClock>();
  MapCustomStore store(clock, false);
  const Key key("ns", "user:1");
  ASSERT_TRUE(PutNow(store, key, "value", clock->NowMs() + 5000).ok());
  ASSERT_TRUE(PutNow(store, Key("forever"), "v", kNeverExpires).ok());
  ASSERT_EQ(store.calls.size(), 2u);
  EXPECT_EQ(store.calls[0].name, key.digest().ToHex());
  EXPECT_EQ(store.calls[0].ttl_ms, 5000);
  EXPECT_EQ(store.calls[1].ttl_ms, std::nullopt);
  GetResult got = GetNow(store, key);
  ASSERT_TRUE(got.status.ok());
  ASSERT_TRUE(got.hit);
  EXPECT_EQ(got.hit->value.view(), "value");
  EXPECT_EQ(got.hit->expires_at_ms, clock->NowMs() + 5000);
  EXPECT_FALSE(GetNow(store, Key("user:1")).hit) << "the default namespace's user:1 is another key";
}

TEST(CustomStoreTest, ExpiryIsTheFramesWhateverTheStoreKeeps) {
  auto clock = std::make_shared<ManualClock>();
  MapCustomStore store(clock, false);
  const Key key("k");
  ASSERT_TRUE(PutNow(store, key, "v", clock->NowMs() + 100).ok());
  clock->Advance(99);
  EXPECT_TRUE(GetNow(store, key).hit);
  clock->Advance(1);
  EXPECT_FALSE(GetNow(store, key).hit);
  bool found = true;
  store.Has(key, [&](Status, bool has) { found = has; });
  EXPECT_FALSE(found) << "without a has() of the driver's, has reads the frame";
  EXPECT_EQ(store.entries.size(), 1u);
}

TEST(CustomStoreTest, AnotherKeysEntryIsAMissAndBytesThatAreNoFrameAreCorrupt) {
  auto clock = std::make_shared<ManualClock>();
  MapCustomStore store(clock, false);
  ASSERT_TRUE(PutNow(store, Key("a"), "A", kNeverExpires).ok());
  store.entries[Key("b").digest().ToHex()] = store.entries[Key("a").digest().ToHex()];
  GetResult collided = GetNow(store, Key("b"));
  EXPECT_FALSE(collided.hit);
  EXPECT_EQ(collided.status.code(), StatusCode::kCorrupt);
  store.entries[Key("c").digest().ToHex()] = Bytes::Copy("SCE");  // shorter than a frame
  EXPECT_EQ(GetNow(store, Key("c")).status.code(), StatusCode::kCorrupt);
  EXPECT_FALSE(DecodeCustomEntry(Key("a"), Bytes::Copy(std::string(40, 'x'))));
}

TEST(CustomStoreTest, DriverFailuresCarryTheMethodAndTheirCode) {
  auto clock = std::make_shared<ManualClock>();
  MapCustomStore store(clock, true);
  store.failure = Status(StatusCode::kUnavailable, "store down");
  GetResult got = GetNow(store, Key("k"));
  EXPECT_EQ(got.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(got.status.message(), "get failed: store down");
  EXPECT_EQ(PutNow(store, Key("k"), "v", kNeverExpires).message(), "set failed: store down");
  Status has_status;
  store.Has(Key("k"), [&](Status status, bool) { has_status = status; });
  EXPECT_EQ(has_status.message(), "has failed: store down");
  EXPECT_EQ(store.calls.back().method, CustomStore::Method::kHas) << "a driver with has() answers has";
}

}  // namespace
}  // namespace stratacache
