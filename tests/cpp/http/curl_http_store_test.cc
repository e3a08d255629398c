#include "stratacache/http/curl_http_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "loopback_server.h"

namespace stratacache::http {
namespace {

using testing::CannedReply;
using testing::ClosedPort;
using testing::LoopbackServer;

struct GetResult {
  Status status;
  std::optional<Hit> hit;
};

// Waits for the store's answer; a test fails rather than hangs when none comes.
GetResult AwaitGet(Store& store, const Key& key) {
  auto promise = std::make_shared<std::promise<GetResult>>();
  std::future<GetResult> future = promise->get_future();
  store.Get(key, [promise](Status status, std::optional<Hit> hit) { promise->set_value({status, std::move(hit)}); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within 10 s";
    return {Status(StatusCode::kTimeout, "no answer"), std::nullopt};
  }
  return future.get();
}

class CurlHttpStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<CurlHttpStore> StoreAt(const std::string& base_url, int64_t timeout_ms = 5'000) {
    return std::make_unique<CurlHttpStore>(CurlHttpStoreOptions{
        .base_url = base_url, .headers = {{"Authorization", "Bearer t0ken"}}, .timeout_ms = timeout_ms});
  }
  std::string PathOf(const Key& key) const { return "/builds/" + key.digest().ToHex(); }

  LoopbackServer server_;
};

TEST_F(CurlHttpStoreTest, GetsTheValueByDigestWithTheHeadersAndMissesOn404) {
  server_.Serve(PathOf(Key("artefact")), CannedReply{200, "object code"});
  auto store = StoreAt(server_.origin() + "/builds");
  GetResult hit = AwaitGet(*store, Key("artefact"));
  ASSERT_TRUE(hit.status.ok()) << hit.status.message();
  ASSERT_TRUE(hit.hit);
  EXPECT_EQ(hit.hit->value.view(), "object code");

  GetResult miss = AwaitGet(*store, Key("absent"));
  EXPECT_TRUE(miss.status.ok());
  EXPECT_FALSE(miss.hit);

  const std::vector<testing::SeenRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].line, "GET " + PathOf(Key("artefact")) + " HTTP/1.1");
  EXPECT_NE(requests[0].headers.find("authorization: bearer t0ken"), std::string::npos) << requests[0].headers;
}

TEST_F(CurlHttpStoreTest, HasSendsAHead) {
  server_.Serve(PathOf(Key("here")), CannedReply{200, "bytes"});
  auto store = StoreAt(server_.origin() + "/builds");
  std::promise<bool> found;
  store->Has(Key("here"), [&](Status, bool here) { found.set_value(here); });
  EXPECT_TRUE(found.get_future().get());
  EXPECT_TRUE(server_.requests().at(0).line.starts_with("HEAD "));
}

TEST_F(CurlHttpStoreTest, FollowsRedirects) {
  server_.Serve(PathOf(Key("moved")), CannedReply{302, "", "/elsewhere"});
  server_.Serve("/elsewhere", CannedReply{200, "found there"});
  auto store = StoreAt(server_.origin() + "/builds");
  GetResult result = AwaitGet(*store, Key("moved"));
  ASSERT_TRUE(result.hit) << result.status.message();
  EXPECT_EQ(result.hit->value.view(), "found there");
}

TEST_F(CurlHttpStoreTest, AServerThatIsDownIsUnavailableAndASlowOneTimesOut) {
  auto down = StoreAt("http://127.0.0.1:" + std::to_string(ClosedPort()));
  GetResult refused = AwaitGet(*down, Key("k"));
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable) << refused.status.message();
  EXPECT_TRUE(refused.status.retryable());

  server_.Stall(PathOf(Key("slow")));
  auto slow = StoreAt(server_.origin() + "/builds", /*timeout_ms=*/200);
  const auto started = std::chrono::steady_clock::now();
  GetResult timed_out = AwaitGet(*slow, Key("slow"));
  EXPECT_EQ(timed_out.status.code(), StatusCode::kTimeout) << timed_out.status.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(CurlHttpStoreTest, CancelCompletesEveryRequestInFlightWithClosedAndLaterOnesGoOut) {
  server_.Serve(PathOf(Key("later")), CannedReply{200, "still served"});
  auto store = std::make_unique<CurlHttpStore>(
      CurlHttpStoreOptions{.base_url = server_.origin() + "/builds", .headers = {}, .timeout_ms = 60'000,
                           .max_concurrent = 2});
  constexpr int kRequests = 5;  // two on the wire, three waiting in line
  std::vector<std::future<Status>> answers;
  for (int i = 0; i < kRequests; ++i) {
    const Key key("slow" + std::to_string(i));
    server_.Stall(PathOf(key));
    auto answer = std::make_shared<std::promise<Status>>();
    answers.push_back(answer->get_future());
    if (i % 2 == 0) {
      store->Get(key, [answer](Status status, std::optional<Hit>) { answer->set_value(status); });
    } else {
      store->Has(key, [answer](Status status, bool) { answer->set_value(status); });
    }
  }
  while (server_.requests().size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto cancelled = std::chrono::steady_clock::now();
  store->Cancel();
  for (std::future<Status>& answer : answers) {
    ASSERT_EQ(answer.wait_until(cancelled + std::chrono::milliseconds(100)), std::future_status::ready);
    EXPECT_EQ(answer.get().code(), StatusCode::kClosed);
  }
  GetResult later = AwaitGet(*store, Key("later"));
  ASSERT_TRUE(later.hit) << later.status.message();
  EXPECT_EQ(later.hit->value.view(), "still served");
}

TEST_F(CurlHttpStoreTest, ClosingCompletesRequestsInFlightAsClosed) {
  server_.Stall(PathOf(Key("slow")));
  auto store = StoreAt(server_.origin() + "/builds");
  std::promise<Status> answer;
  store->Get(Key("slow"), [&](Status status, std::optional<Hit>) { answer.set_value(status); });
  while (server_.requests().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  store.reset();
  std::future<Status> future = answer.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready) << "completed before the store went";
  EXPECT_EQ(future.get().code(), StatusCode::kClosed);
}

TEST_F(CurlHttpStoreTest, ManyConcurrentGetsAllComplete) {
  constexpr int kGets = 200;
  for (int i = 0; i < kGets; i += 2) {
    server_.Serve(PathOf(Key("k" + std::to_string(i))), CannedReply{200, std::string(1000 + i, 'x')});
  }
  auto store = StoreAt(server_.origin() + "/builds");
  std::vector<std::future<GetResult>> results;
  for (int i = 0; i < kGets; ++i) {
    auto promise = std::make_shared<std::promise<GetResult>>();
    results.push_back(promise->get_future());
    store->Get(Key("k" + std::to_string(i)), [promise](Status status, std::optional<Hit> hit) {
      promise->set_value({status, std::move(hit)});
    });
  }
  for (int i = 0; i < kGets; ++i) {
    GetResult result = results[i].get();
    EXPECT_TRUE(result.status.ok()) << result.status.message();
    EXPECT_EQ(result.hit ? result.hit->value.size() : 0u, i % 2 == 0 ? 1000u + i : 0u) << i;
  }
}

TEST(MakeHttpStoreTest, ReadsTheSettingsTypeScriptFlattened) {
  LoopbackServer server;
  server.Serve("/x/" + Key("k").digest().ToHex(), CannedReply{200, "v"});
  TierConfig tier;
  tier.kind = "http";
  tier.name = "artefacts";
  tier.settings = {{"baseUrl", server.origin() + "/x"}, {"timeoutMs", "2000"}, {"headers.X-Token", "abc"}};
  Status status;
  std::unique_ptr<Store> store = MakeHttpStore(tier, &status);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(store->read_only());
  EXPECT_EQ(AwaitGet(*store, Key("k")).hit->value.view(), "v");
  EXPECT_NE(server.requests().at(0).headers.find("x-token: abc"), std::string::npos);

  tier.settings.erase("baseUrl");
  EXPECT_EQ(MakeHttpStore(tier, &status), nullptr);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArg);
}

}  // namespace
}  // namespace stratacache::http
