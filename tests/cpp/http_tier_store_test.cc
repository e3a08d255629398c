#include "stratacache/http_tier_store.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "manual_clock.h"
#include "store_calls.h"
#include "stratacache/cache_config.h"
#include "stratacache/ram_store.h"
#include "stratacache/tier_chain.h"

namespace stratacache {
namespace {

using testing::GetNow;
using testing::GetResult;
using testing::ManualClock;

// Answers from a table of URL -> reply (404 for the rest), at once unless told to hold the answers back, and
// records every request sent.
class TableHttpStore final : public HttpTierStore {
 public:
  TableHttpStore() : HttpTierStore("http://artefacts.test/base") {}

  std::map<std::string, Reply> replies;
  std::vector<std::string> sent;  // "METHOD url"
  bool hold = false;
  std::vector<std::function<void()>> held;  // answers not yet given, in the order sent

 protected:
  void Send(const std::string& method, const std::string& url, ReplyDone done) override {
    sent.push_back(method + " " + url);
    auto found = replies.find(url);
    Reply reply = found == replies.end() ? Reply{Status::Ok(), 404, {}} : found->second;
    if (hold) return held.push_back([done = std::move(done), reply] { done(reply); });
    done(reply);
  }
};

HttpTierStore::Reply Ok(const std::string& body) { return {Status::Ok(), 200, Bytes::Copy(body)}; }

TEST(HttpTierStoreTest, NamesEntriesByTheKeysDigestUnderTheBaseUrl) {
  TableHttpStore store;
  const Key key("artefact");
  EXPECT_EQ(store.UrlOf(key), "http://artefacts.test/base/" + key.digest().ToHex());
  EXPECT_EQ(key.digest().ToHex().size(), 32u);
  EXPECT_NE(store.UrlOf(Key("other-namespace", "artefact")), store.UrlOf(key)) << "the digest covers the namespace";
}

TEST(HttpTierStoreTest, A2xxIsTheValueAnd404Or410AMiss) {
  TableHttpStore store;
  store.replies[store.UrlOf(Key("hit"))] = Ok("bytes");
  store.replies[store.UrlOf(Key("gone"))] = {Status::Ok(), 410, {}};

  GetResult hit = GetNow(store, Key("hit"));
  ASSERT_TRUE(hit.status.ok());
  ASSERT_TRUE(hit.hit);
  EXPECT_EQ(hit.hit->value.view(), "bytes");
  EXPECT_EQ(hit.hit->expires_at_ms, kNeverExpires) << "a source keeps no expiry; the tiers above set their own";

  for (const char* missing : {"absent", "gone"}) {
    GetResult miss = GetNow(store, Key(missing));
    EXPECT_TRUE(miss.status.ok()) << missing << ": a miss is not an error";
    EXPECT_FALSE(miss.hit) << missing;
  }
  EXPECT_EQ(store.sent.front(), "GET " + store.UrlOf(Key("hit")));
}

TEST(HttpTierStoreTest, OtherAnswersAndTransportFailuresAreErrorsNamingTheUrl) {
  TableHttpStore store;
  const std::string url = store.UrlOf(Key("k"));
  struct Case {
    HttpTierStore::Reply reply;
    StatusCode code;
    bool retryable;
  };
  const std::vector<Case> cases = {
      {{Status::Ok(), 500, {}}, StatusCode::kIo, true},
      {{Status::Ok(), 503, {}}, StatusCode::kUnavailable, true},
      {{Status::Ok(), 403, {}}, StatusCode::kIo, false},
      {{Status::Ok(), 400, {}}, StatusCode::kIo, false},
      {{Status::Ok(), 302, {}}, StatusCode::kIo, false},
      {{Status(StatusCode::kTimeout, "timed out after 50 ms"), 0, {}}, StatusCode::kTimeout, true},
  };
  for (const Case& c : cases) {
    store.replies[url] = c.reply;
    GetResult result = GetNow(store, Key("k"));
    EXPECT_EQ(result.status.code(), c.code) << c.reply.status;
    EXPECT_EQ(result.status.retryable(), c.retryable) << c.reply.status;
    EXPECT_NE(result.status.message().find("GET " + url), std::string::npos) << result.status.message();
    EXPECT_FALSE(result.hit);
  }
}

TEST(HttpTierStoreTest, ConcurrentGetsOfOneKeyShareOneRequest) {
  TableHttpStore store;
  store.replies[store.UrlOf(Key("k"))] = Ok("shared");
  store.hold = true;
  std::vector<std::string> answers;
  auto record = [&](Status, std::optional<Hit> hit) { answers.push_back(hit ? std::string(hit->value.view()) : "miss"); };
  store.Get(Key("k"), record);
  store.Get(Key("k"), record);
  store.Get(Key("other"), record);
  store.Get(Key("other-namespace", "k"), record);
  ASSERT_EQ(store.sent.size(), 3u) << "one request for k, one for other, one for k of another namespace";
  EXPECT_TRUE(answers.empty());
  store.held[0]();
  EXPECT_EQ(answers, (std::vector<std::string>{"shared", "shared"}));
  store.held[1]();
  store.held[2]();
  store.Get(Key("k"), record);
  EXPECT_EQ(store.sent.size(), 4u) << "a read after the answer sends again";
}

TEST(HttpTierStoreTest, HasIsAHead) {
  TableHttpStore store;
  store.replies[store.UrlOf(Key("here"))] = Ok("");
  bool here = false;
  bool absent = true;
  store.Has(Key("here"), [&](Status, bool found) { here = found; });
  store.Has(Key("absent"), [&](Status, bool found) { absent = found; });
  EXPECT_TRUE(here);
  EXPECT_FALSE(absent);
  EXPECT_EQ(store.sent.front(), "HEAD " + store.UrlOf(Key("here")));
}

TEST(HttpTierStoreTest, WritesCalledDirectlyFailAndSendNothing) {
  TableHttpStore store;
  Status put;
  store.Put(Key("k"), Bytes::Copy("v"), kNeverExpires, [&](Status status) { put = status; });
  EXPECT_EQ(put.code(), StatusCode::kInvalidArg);
  EXPECT_TRUE(store.sent.empty());
}

class HttpTierChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto http = std::make_unique<TableHttpStore>();
    http_ = http.get();
    std::vector<TierSpec> specs;
    specs.push_back(
        TierSpec{"ram", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock_), Ttl::Millis(1000)});
    specs.push_back(TierSpec{"http", std::move(http), Ttl::Unset()});
    chain_ = TierChain::Create(std::move(specs), Ttl::Never(), clock_);
    chain_->events().Subscribe(
        [this](const CacheEvent& event) { errors_.push_back(event.tier + ": " + event.status.message()); },
        static_cast<EventKinds>(EventKind::kError));
  }

  GetResult Get(const Key& key) {
    GetResult result;
    chain_->Get(key, [&](Status status, std::optional<Hit> hit) { result = {status, std::move(hit)}; });
    return result;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  TableHttpStore* http_ = nullptr;
  std::shared_ptr<TierChain> chain_;
  std::vector<std::string> errors_;
};

TEST_F(HttpTierChainTest, AHitIsPromotedWithTheTtlOfTheTierAbove) {
  http_->replies[http_->UrlOf(Key("k"))] = Ok("remote");
  ASSERT_EQ(Get(Key("k")).hit->value.view(), "remote");
  EXPECT_EQ(http_->sent.size(), 1u);
  std::optional<Hit> promoted = chain_->GetNow(Key("k"));
  ASSERT_TRUE(promoted) << "the second read is served by RAM";
  EXPECT_EQ(promoted->expires_at_ms, clock_->NowMs() + 1000) << "the RAM tier's own TTL";
  EXPECT_EQ(http_->sent.size(), 1u);
  clock_->Advance(1001);
  EXPECT_EQ(Get(Key("k")).hit->value.view(), "remote");
  EXPECT_EQ(http_->sent.size(), 2u) << "expired in RAM: read again";
}

TEST_F(HttpTierChainTest, WritesDeletesAndClearsNeverReachIt) {
  Status set;
  chain_->Set(Key("k"), Bytes::Copy("v"), {}, [&](Status status) { set = status; });
  EXPECT_TRUE(set.ok()) << set.message();
  EXPECT_TRUE(chain_->SetNow(Key("k2"), Bytes::Copy("v"), {}).ok());
  bool deleted = false;
  chain_->Delete(Key("k"), [&](Status status, bool found) { deleted = status.ok() && found; });
  EXPECT_TRUE(deleted) << "removed from RAM";
  EXPECT_TRUE(chain_->DeleteNow(Key("k2")));
  Status cleared(StatusCode::kIo, "not called");
  chain_->Clear([&](Status status) { cleared = status; });
  EXPECT_TRUE(cleared.ok());
  EXPECT_TRUE(http_->sent.empty());
}

TEST_F(HttpTierChainTest, AFailedReadIsAnErrorEventAndAMiss) {
  http_->replies[http_->UrlOf(Key("k"))] = {Status(StatusCode::kUnavailable, "connection refused"), 0, {}};
  GetResult result = Get(Key("k"));
  EXPECT_TRUE(result.status.ok());
  EXPECT_FALSE(result.hit);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("http: GET http://artefacts.test/base/"), std::string::npos) << errors_[0];
}

TEST(HttpTierConfigTest, AReadOnlyTierMustBeLastAndBelowAWritableOne) {
  auto clock = std::make_shared<ManualClock>();
  PlatformStoreFactory factory = [](const TierConfig&, Status*) -> std::unique_ptr<Store> {
    return std::make_unique<TableHttpStore>();
  };
  auto build = [&](std::vector<std::string> kinds) {
    CacheConfig config;
    for (const std::string& kind : kinds) {
      TierConfig tier;
      tier.kind = kind;
      tier.name = kind + std::to_string(config.tiers.size());
      tier.limit_bytes = 1 << 20;
      config.tiers.push_back(std::move(tier));
    }
    std::shared_ptr<TierChain> chain;
    return BuildTierChain(config, clock, factory, &chain);
  };
  EXPECT_TRUE(build({"ram", "http"}).ok());
  EXPECT_TRUE(build({"ram", "ram", "http"}).ok());
  Status alone = build({"http"});
  EXPECT_EQ(alone.code(), StatusCode::kInvalidArg);
  EXPECT_NE(alone.message().find("read-only"), std::string::npos) << alone.message();
  EXPECT_EQ(build({"ram", "http", "ram"}).code(), StatusCode::kInvalidArg);
}

}  // namespace
}  // namespace stratacache
