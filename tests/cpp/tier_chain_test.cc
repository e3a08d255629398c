#include "stratacache/tier_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "manual_clock.h"
#include "stratacache/ram_store.h"
#include "threaded_store.h"

namespace stratacache {
namespace {

using testing::ManualClock;
using testing::ThreadedStore;

std::vector<TierSpec> One(TierSpec a) {
  std::vector<TierSpec> v;
  v.push_back(std::move(a));
  return v;
}

std::vector<TierSpec> Specs(TierSpec a, TierSpec b) {
  std::vector<TierSpec> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

class TierChainTest : public ::testing::Test {
 protected:
  TierSpec Ram(const std::string& name, uint64_t limit = 1 << 20, Ttl ttl = Ttl::Unset()) {
    auto store = std::make_unique<RamStore>(RamStoreOptions{limit, 4}, clock_);
    rams_[name] = store.get();
    return TierSpec{name, std::move(store), ttl};
  }
  TierSpec Threaded(const std::string& name, Ttl ttl = Ttl::Unset()) {
    auto store = std::make_unique<ThreadedStore>(1 << 20, clock_);
    threaded_ = store.get();
    return TierSpec{name, std::move(store), ttl};
  }
  std::shared_ptr<TierChain> Chain(std::vector<TierSpec> tiers, Ttl ttl = Ttl::Unset()) {
    std::vector<TierSpec> specs;
    for (auto& t : tiers) specs.push_back(std::move(t));
    auto chain = TierChain::Create(std::move(specs), ttl, clock_);
    chain->events().Subscribe(
        [this](const CacheEvent& event) {
          std::lock_guard lock(errors_mu_);
          errors_.push_back(std::string(EventKindName(event.kind)) + " " + event.tier + " " + event.key + ": " +
                            event.status.message());
        },
        static_cast<EventKinds>(EventKind::kError));
    return chain;
  }

  // Waits for an asynchronous operation's completion.
  static std::optional<Hit> AwaitGet(TierChain& chain, const Key& key) {
    std::promise<std::optional<Hit>> result;
    chain.Get(key, [&](Status status, std::optional<Hit> hit) {
      EXPECT_TRUE(status.ok()) << status.message();
      result.set_value(std::move(hit));
    });
    return result.get_future().get();
  }
  static Status AwaitSet(TierChain& chain, const Key& key, const std::string& value, Ttl ttl = Ttl::Unset()) {
    std::promise<Status> result;
    chain.Set(key, Bytes::Copy(value), {ttl}, [&](Status status) { result.set_value(status); });
    return result.get_future().get();
  }
  static bool AwaitHas(TierChain& chain, const Key& key) {
    std::promise<bool> result;
    chain.Has(key, [&](Status, bool found) { result.set_value(found); });
    return result.get_future().get();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::map<std::string, RamStore*> rams_;  // by tier name
  ThreadedStore* threaded_ = nullptr;
  std::mutex errors_mu_;
  std::vector<std::string> errors_;
};

TEST_F(TierChainTest, SingleRamTierCompletesInline) {
  auto chain = Chain(One(Ram("ram")));
  bool called = false;
  chain->Set(Key("k"), Bytes::Copy("v"), {Ttl::Unset()}, [&](Status status) {
    EXPECT_TRUE(status.ok());
    called = true;
  });
  EXPECT_TRUE(called) << "a RAM-only chain answers before returning";
  called = false;
  chain->Get(Key("k"), [&](Status, std::optional<Hit> hit) {
    EXPECT_EQ(hit->value.view(), "v");
    called = true;
  });
  EXPECT_TRUE(called);
}

// The change counters stand for every change of an inline tier's entries: a JavaScript-side copy of a value is
// served only while its stripe's counter has not moved.
TEST_F(TierChainTest, ChangeCountersMoveOnEveryWriteAndRemovalOfAStripe) {
  auto chain = Chain(Specs(Ram("hot", 400), Ram("warm")));
  const ChangeCounters& changes = *chain->changes();
  const Key a("a");
  const size_t stripe = ChangeCounters::StripeOf(a.digest());
  auto moved = [&](auto&& change) {
    const uint32_t before = changes.Read(stripe);
    change();
    return changes.Read(stripe) != before;
  };
  EXPECT_TRUE(moved([&] { ASSERT_TRUE(chain->SetNow(a, Bytes::Copy("1"), {Ttl::Unset()}).ok()); }));
  EXPECT_FALSE(moved([&] { EXPECT_TRUE(chain->GetNow(a)); })) << "a read changes nothing";
  EXPECT_TRUE(moved([&] { EXPECT_TRUE(chain->DeleteNow(a)); }));
  ASSERT_TRUE(chain->SetNow(a, Bytes::Copy("1"), {Ttl::Millis(10)}).ok());
  clock_->Advance(20);
  EXPECT_TRUE(moved([&] { EXPECT_FALSE(chain->GetNow(a)); })) << "expiry on read";
  ASSERT_TRUE(chain->SetNow(a, Bytes::Copy("1"), {Ttl::Unset()}).ok());
  EXPECT_TRUE(moved([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(chain->SetNow(Key("filler" + std::to_string(i)), Bytes::Copy("xxxxxxxx"), {Ttl::Unset()}).ok());
  })) << "eviction from the 400-byte hot tier";
  EXPECT_TRUE(moved([&] { EXPECT_TRUE(chain->GetNow(a)); })) << "promotion from warm into hot";
  bool cleared = false;
  EXPECT_TRUE(moved([&] { chain->Clear([&](Status) { cleared = true; }); }));
  EXPECT_TRUE(cleared);
}

TEST_F(TierChainTest, TouchInlineRefreshesRecencyWithoutCountingAHit) {
  // One shard, room for two of these entries: exact LRU.
  const uint64_t limit = 2 * RamStore::ChargeFor(3, 1, false) + RamStore::ChargeFor(5, 1, false) - 1;
  auto chain = Chain(One(TierSpec{"ram", std::make_unique<RamStore>(RamStoreOptions{limit, 1}, clock_), Ttl::Unset()}));
  ASSERT_TRUE(chain->SetNow(Key("old"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  ASSERT_TRUE(chain->SetNow(Key("new"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  chain->TouchInline(Key("old"));  // now "new" is the least recently used
  ASSERT_TRUE(chain->SetNow(Key("third"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  EXPECT_TRUE(chain->HasNow(Key("old")));
  EXPECT_FALSE(chain->HasNow(Key("new")));
  EXPECT_EQ(chain->Stats().tiers[0].hits, 0u);
}

// Concurrent sets of one key write once: an identical set joins the write in flight; a different one writes,
// and an identical set after it joins the latest, so the last value set is the one stored.
TEST_F(TierChainTest, ConcurrentIdenticalSetsWriteOnce) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  threaded_->Hold();
  std::vector<std::promise<Status>> sets(10);
  for (auto& set : sets) {
    chain->Set(Key("k"), Bytes::Copy("same"), {Ttl::Unset()}, [&set](Status status) { set.set_value(status); });
  }
  chain->Set(Key("k"), Bytes::Copy("same"), {Ttl::Millis(60'000)}, [](Status) {});  // other options: a write
  EXPECT_EQ(threaded_->operations(), 2);
  threaded_->Release();
  for (auto& set : sets) EXPECT_TRUE(set.get_future().get().ok()) << "every joined set hears the outcome";

  threaded_->Hold();
  std::promise<Status> last;
  chain->Set(Key("k"), Bytes::Copy("one"), {Ttl::Unset()}, [](Status) {});
  chain->Set(Key("k"), Bytes::Copy("two"), {Ttl::Unset()}, [](Status) {});
  chain->Set(Key("k"), Bytes::Copy("one"), {Ttl::Unset()}, [&last](Status status) { last.set_value(status); });
  EXPECT_EQ(threaded_->operations(), 5) << "'one' after 'two' is a write of its own, not a join of the first";
  threaded_->Release();
  EXPECT_TRUE(last.get_future().get().ok());
  threaded_->Drain();
  EXPECT_EQ(AwaitGet(*chain, Key("k"))->value.view(), "one");

  threaded_->Hold();
  std::promise<Status> failed;
  threaded_->set_failing(true);
  chain->Set(Key("f"), Bytes::Copy("v"), {Ttl::Unset()}, [](Status) {});
  chain->Set(Key("f"), Bytes::Copy("v"), {Ttl::Unset()}, [&failed](Status status) { failed.set_value(status); });
  threaded_->Release();
  EXPECT_FALSE(failed.get_future().get().ok()) << "a joined set fails with the write it joined";
  threaded_->set_failing(false);
}

TEST_F(TierChainTest, WritesGoThroughToEveryTier) {
  auto chain = Chain(Specs(Ram("hot"), Ram("warm")));
  ASSERT_TRUE(chain->SetNow(Key("k"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  EXPECT_TRUE(rams_["hot"]->Contains(Key("k")));
  EXPECT_TRUE(rams_["warm"]->Contains(Key("k")));
  EXPECT_TRUE(chain->DeleteNow(Key("k")));
  EXPECT_FALSE(rams_["hot"]->Contains(Key("k")));
  EXPECT_FALSE(rams_["warm"]->Contains(Key("k")));
}

TEST_F(TierChainTest, ALowerHitIsPromotedWithItsRemainingTtl) {
  auto chain = Chain(Specs(Ram("hot"), Ram("warm")));
  const int64_t start = clock_->NowMs();
  ASSERT_TRUE(rams_["warm"]->Insert(Key("k"), Bytes::Copy("v"), start + 10'000).ok());
  clock_->Advance(4'000);
  std::optional<Hit> hit = chain->GetNow(Key("k"));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->expires_at_ms, start + 10'000);
  std::optional<Hit> promoted = rams_["hot"]->Lookup(Key("k"));
  ASSERT_TRUE(promoted);
  EXPECT_EQ(promoted->expires_at_ms, start + 10'000) << "promotion keeps the remaining TTL, not a fresh one";
  clock_->Advance(6'000);
  EXPECT_FALSE(chain->GetNow(Key("k")));

  ChainStats stats = chain->Stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.tiers[0].name, "hot");
  EXPECT_EQ(stats.tiers[0].hits, 0u);
  EXPECT_EQ(stats.tiers[0].misses, 2u);
  EXPECT_EQ(stats.tiers[1].hits, 1u);
  EXPECT_EQ(stats.tiers[1].misses, 1u);
}

TEST_F(TierChainTest, TtlResolvesPerCallThenPerTierThenGlobally) {
  auto chain = Chain(Specs(Ram("hot", 1 << 20, Ttl::Millis(1'000)), Ram("warm")), Ttl::Millis(60'000));
  const int64_t now = clock_->NowMs();
  ASSERT_TRUE(chain->SetNow(Key("default"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  EXPECT_EQ(rams_["hot"]->Lookup(Key("default"))->expires_at_ms, now + 1'000);
  EXPECT_EQ(rams_["warm"]->Lookup(Key("default"))->expires_at_ms, now + 60'000);
  ASSERT_TRUE(chain->SetNow(Key("call"), Bytes::Copy("v"), {Ttl::Millis(5)}).ok());
  EXPECT_EQ(rams_["hot"]->Lookup(Key("call"))->expires_at_ms, now + 5);
  EXPECT_EQ(rams_["warm"]->Lookup(Key("call"))->expires_at_ms, now + 5);
  ASSERT_TRUE(chain->SetNow(Key("never"), Bytes::Copy("v"), {Ttl::Never()}).ok());
  EXPECT_EQ(rams_["hot"]->Lookup(Key("never"))->expires_at_ms, kNeverExpires);
}

TEST_F(TierChainTest, AValueTooLargeForOneTierStillLandsInTheOther) {
  auto chain = Chain(Specs(Ram("hot", 2048), Ram("warm")));
  EXPECT_TRUE(chain->SetNow(Key("big"), Bytes::Copy(std::string(4096, 'x')), {Ttl::Unset()}).ok());
  EXPECT_FALSE(rams_["hot"]->Contains(Key("big")));
  EXPECT_TRUE(rams_["warm"]->Contains(Key("big")));
  auto alone = Chain(One(Ram("only", 2048)));
  EXPECT_EQ(alone->SetNow(Key("big"), Bytes::Copy(std::string(4096, 'x')), {Ttl::Unset()}).code(),
            StatusCode::kTooLarge);
}

TEST_F(TierChainTest, ReadsThroughAnAsynchronousTierAndPromotes) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  ASSERT_TRUE(AwaitSet(*chain, Key("k"), "v").ok());
  threaded_->Drain();
  rams_["ram"]->EraseAll();
  EXPECT_FALSE(chain->GetNow(Key("k"))) << "the synchronous API sees only inline tiers";
  std::optional<Hit> hit = AwaitGet(*chain, Key("k"));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value.view(), "v");
  EXPECT_EQ(chain->GetNow(Key("k"))->value.view(), "v") << "the hit was promoted into RAM";
  EXPECT_FALSE(AwaitGet(*chain, Key("absent")));
  EXPECT_TRUE(AwaitHas(*chain, Key("k")));
}

TEST_F(TierChainTest, AFailingTierIsPassedOverAndReported) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  threaded_->set_failing(true);
  EXPECT_FALSE(AwaitGet(*chain, Key("k")));
  EXPECT_EQ(AwaitSet(*chain, Key("k"), "v").code(), StatusCode::kIo) << "a failed write-through fails the set";
  EXPECT_EQ(chain->GetNow(Key("k"))->value.view(), "v") << "the tiers that accepted it still serve it";
  // setSync continues below in the background; its failure reaches the listener.
  ASSERT_TRUE(chain->SetNow(Key("k2"), Bytes::Copy("v"), {Ttl::Unset()}).ok());
  threaded_->Drain();
  std::lock_guard lock(errors_mu_);
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0], "error slow k: injected failure");
}

TEST_F(TierChainTest, AnUnavailableTierIsPassedOverBySetsButNotByClears) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  threaded_->set_failing(true, StatusCode::kUnavailable);
  EXPECT_TRUE(AwaitSet(*chain, Key("k"), "v").ok()) << "RAM took it; the unavailable tier is reported instead";
  EXPECT_EQ(chain->GetNow(Key("k"))->value.view(), "v");
  {
    std::lock_guard lock(errors_mu_);
    ASSERT_EQ(errors_.size(), 1u);
    EXPECT_EQ(errors_[0], "error slow k: injected failure");
  }
  std::promise<Status> cleared;
  chain->Clear([&](Status status) { cleared.set_value(status); });
  const Status status = cleared.get_future().get();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << "entries left in the tier would come back";
  EXPECT_EQ(status.tier(), "slow");
  EXPECT_TRUE(status.retryable());
}

TEST_F(TierChainTest, ASetThatNoTierTookFailsWithTheTiersStatus) {
  std::vector<TierSpec> specs;
  specs.push_back(Threaded("slow"));
  auto chain = Chain(std::move(specs));
  threaded_->set_failing(true, StatusCode::kUnavailable);
  const Status status = AwaitSet(*chain, Key("k"), "v");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.tier(), "slow");
}

TEST_F(TierChainTest, EventsReachEverySubscriberUntilItLeaves) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  std::atomic<int> second{0};
  const uint64_t id = chain->events().Subscribe([&](const CacheEvent&) { ++second; });
  threaded_->set_failing(true);
  EXPECT_FALSE(AwaitGet(*chain, Key("a")));
  chain->events().Unsubscribe(id);
  EXPECT_FALSE(AwaitGet(*chain, Key("b")));
  EXPECT_EQ(second, 1);
  std::lock_guard lock(errors_mu_);
  EXPECT_EQ(errors_.size(), 2u);
}

TEST_F(TierChainTest, FlushWaitsForTheBackgroundWritesStartedBeforeIt) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  threaded_->Hold();
  ASSERT_TRUE(chain->SetNow(Key("k"), Bytes::Copy("v"), {}).ok());
  EXPECT_TRUE(chain->DeleteNow(Key("k")));
  std::atomic<bool> flushed{false};
  chain->Flush("", [&](Status status) {
    EXPECT_TRUE(status.ok());
    flushed = true;
  });
  bool ram_flushed = false;
  chain->Flush("ram", [&](Status status) { ram_flushed = status.ok(); });
  EXPECT_TRUE(ram_flushed) << "nothing was sent to the RAM tier in the background";
  EXPECT_FALSE(flushed) << "the write and the delete are still queued";
  threaded_->Release();
  threaded_->Drain();
  EXPECT_TRUE(flushed);
  EXPECT_EQ(threaded_->operations(), 2);
  bool at_once = false;
  chain->Flush("slow", [&](Status) { at_once = true; });
  EXPECT_TRUE(at_once) << "nothing in flight";
  Status unknown;
  chain->Flush("disk", [&](Status status) { unknown = status; });
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArg);
}

TEST_F(TierChainTest, OpenAndCleanAskEveryTier) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  std::promise<Status> opened;
  chain->Open([&](Status status) { opened.set_value(status); });
  EXPECT_TRUE(opened.get_future().get().ok());
  std::promise<uint64_t> cleaned;
  chain->Clean(CleanOptions{.max_age_ms = 1}, [&](Status status, uint64_t removed) {
    EXPECT_TRUE(status.ok());
    cleaned.set_value(removed);
  });
  EXPECT_EQ(cleaned.get_future().get(), 0u) << "stores without a notion of cleaning remove nothing";
}

// A remote store whose server never answers until told to: it keeps every operation's completion, answers them
// all as a server would (AnswerAll), and counts the cancels it is asked for.
class SilentRemoteStore final : public Store {
 public:
  bool remote() const override { return true; }
  void Cancel() override { ++cancels_; }
  void Get(const Key&, GetDone done) override { Keep([done] { done(Status::Ok(), Hit{Bytes::Copy("late"), kNeverExpires}); }); }
  void Has(const Key&, FoundDone done) override { Keep([done] { done(Status::Ok(), true); }); }
  void Put(const Key&, Bytes, int64_t, Done done) override { Keep([done] { done(Status::Ok()); }); }
  void Delete(const Key&, FoundDone done) override { Keep([done] { done(Status::Ok(), true); }); }
  void Clear(Done done) override { Keep([done] { done(Status::Ok()); }); }
  void Sweep() override {}
  StoreCounters Counters() const override { return {}; }

  void AnswerAll() {
    std::vector<std::function<void()>> answers;
    {
      std::lock_guard lock(mu_);
      answers.swap(waiting_);
    }
    for (auto& answer : answers) answer();
  }
  size_t waiting() {
    std::lock_guard lock(mu_);
    return waiting_.size();
  }
  int cancels() const { return cancels_; }

 private:
  void Keep(std::function<void()> answer) {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(answer));
  }
  std::mutex mu_;
  std::vector<std::function<void()>> waiting_;
  std::atomic<int> cancels_{0};
};

TEST_F(TierChainTest, EndingRemoteCallsAnswersEachWithClosedOnceAndSparesBackgroundWrites) {
  auto silent = std::make_unique<SilentRemoteStore>();
  SilentRemoteStore* remote = silent.get();
  auto chain = Chain(Specs(Ram("ram"), TierSpec{"s3", std::move(silent), Ttl::Unset()}));
  ASSERT_TRUE(chain->SetNow(Key("accepted"), Bytes::Copy("v"), {}).ok());  // a background write to the remote tier
  std::map<std::string, std::vector<Status>> answers;  // by call: every completion it got
  std::mutex mu;
  auto answer = [&](const std::string& call) {
    return [&, call](Status status) {
      std::lock_guard lock(mu);
      answers[call].push_back(status);
    };
  };
  chain->Get(Key("k"), [answer = answer("get")](Status status, std::optional<Hit> hit) {
    EXPECT_FALSE(hit) << "a closed read neither hits nor goes on to a miss";
    answer(status);
  });
  chain->Has(Key("k"), [answer = answer("has")](Status status, bool) { answer(status); });
  chain->Set(Key("k"), Bytes::Copy("v"), {}, answer("set"));
  chain->Delete(Key("k"), [answer = answer("delete")](Status status, bool) { answer(status); });
  chain->Clear(answer("clear"));
  ASSERT_EQ(remote->waiting(), 6u);
  EXPECT_TRUE(answers.empty());

  chain->EndRemoteCalls();
  for (const char* call : {"get", "has", "set", "delete", "clear"}) {
    SCOPED_TRACE(call);
    ASSERT_EQ(answers[call].size(), 1u);
    EXPECT_EQ(answers[call][0].code(), StatusCode::kClosed);
    EXPECT_EQ(answers[call][0].tier(), "s3");
  }
  bool flushed = false;
  chain->Flush("", [&](Status status) { flushed = status.ok(); });
  EXPECT_FALSE(flushed) << "the background write is not ended: a write accepted before close must be kept";

  remote->AnswerAll();  // the server answers at last: those answers find their calls ended
  EXPECT_TRUE(flushed);
  for (const auto& [call, got] : answers) EXPECT_EQ(got.size(), 1u) << call;
  EXPECT_EQ(remote->cancels(), 0);
  chain->CancelRemote();
  EXPECT_EQ(remote->cancels(), 1);
}

// A store may answer an ended call on its own thread after the cache let go of the chain: the chain (and so the
// store) must live until then, or that answer would run on a destroyed store.
TEST_F(TierChainTest, AnEndedCallStillOnTheWireKeepsTheChainAndItsStoresAlive) {
  auto silent = std::make_unique<SilentRemoteStore>();
  SilentRemoteStore* remote = silent.get();
  auto chain = Chain(Specs(Ram("ram"), TierSpec{"s3", std::move(silent), Ttl::Unset()}));
  std::promise<Status> got;
  chain->Get(Key("k"), [&](Status status, std::optional<Hit>) { got.set_value(status); });
  chain->EndRemoteCalls();
  EXPECT_EQ(got.get_future().get().code(), StatusCode::kClosed);
  std::weak_ptr<TierChain> held = chain;
  chain.reset();
  ASSERT_FALSE(held.expired()) << "the request still on the wire holds the chain";
  std::thread([remote] { remote->AnswerAll(); }).join();
  EXPECT_TRUE(held.expired()) << "its answer let go of the chain";
}

TEST_F(TierChainTest, EndingRemoteCallsLeavesCallsToLocalTiersAlone) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("disk")));
  threaded_->Hold();
  std::promise<Status> got;
  chain->Get(Key("k"), [&](Status status, std::optional<Hit>) { got.set_value(status); });
  chain->EndRemoteCalls();
  threaded_->Release();
  EXPECT_TRUE(got.get_future().get().ok());
}

TEST_F(TierChainTest, PendingOperationsKeepTheChainAlive) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  std::promise<bool> done;
  chain->Set(Key("k"), Bytes::Copy("v"), {Ttl::Unset()}, [&](Status status) { done.set_value(status.ok()); });
  chain.reset();  // the owner lets go while the write is in flight
  EXPECT_TRUE(done.get_future().get());
}

TEST_F(TierChainTest, ConcurrentReadersAndWritersAcrossTiers) {
  auto chain = Chain(Specs(Ram("hot", 64 << 10), Ram("warm", 1 << 20)));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        std::string key = std::to_string((i * 7 + t) % 500);
        if (i % 3 == 0) {
          (void)chain->SetNow(Key(key), Bytes::Copy(key + std::string(100, '.')), {Ttl::Unset()});
        } else if (auto hit = chain->GetNow(Key(key)); hit && hit->value.view().substr(0, key.size()) != key) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  ChainStats stats = chain->Stats();
  EXPECT_LE(stats.tiers[0].store.bytes, 64u << 10);
  const uint64_t reads_per_thread = 20000 - 6667;  // every third operation is a write
  EXPECT_EQ(stats.hits + stats.misses, 4 * reads_per_thread);
}

// Write-back: the tier below sees a write only once its entry leaves the first tier, or at a flush.
// Another process changed entries of the shared tier "slow": the RAM tiers above drop their copies, whichever
// key or namespace they were stored under; a tier above that is not RAM is refused.
TEST_F(TierChainTest, ForgetAboveDropsTheCopiesAboveTheSharedTier) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  const Key spaced("ns", "b");
  ASSERT_TRUE(AwaitSet(*chain, Key("a"), "1").ok());
  ASSERT_TRUE(AwaitSet(*chain, spaced, "2").ok());
  const Digest a = Key("a").digest();
  ASSERT_TRUE(chain->ForgetAbove("slow", &a).ok());
  EXPECT_FALSE(chain->GetNow(Key("a")));
  EXPECT_TRUE(chain->GetNow(spaced));
  EXPECT_TRUE(AwaitGet(*chain, Key("a"))) << "the shared tier keeps it, and the read promotes it again";
  EXPECT_TRUE(chain->GetNow(Key("a")));
  ASSERT_TRUE(chain->ForgetAbove("slow", nullptr).ok());
  EXPECT_FALSE(chain->GetNow(Key("a")));
  EXPECT_FALSE(chain->GetNow(spaced));
  EXPECT_EQ(chain->ForgetAbove("ram", nullptr).code(), StatusCode::kOk) << "no tier above: nothing to drop";
  EXPECT_EQ(chain->ForgetAbove("nope", nullptr).code(), StatusCode::kInvalidArg);
  auto below_slow = Chain(Specs(Threaded("slow"), Ram("ram")));
  EXPECT_EQ(below_slow->ForgetAbove("ram", nullptr).code(), StatusCode::kInvalidArg);
}

// A read of the shared tier that was on its way when a change was announced may carry the older value: it is
// answered, but not promoted into the tiers above.
TEST_F(TierChainTest, AReadUnderWayWhenAChangeIsAnnouncedDoesNotPromote) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  ASSERT_TRUE(AwaitSet(*chain, Key("k"), "old").ok());
  const Digest k = Key("k").digest();
  ASSERT_TRUE(chain->ForgetAbove("slow", &k).ok());  // so that the read goes down
  threaded_->Hold();
  std::promise<std::optional<Hit>> read;
  chain->Get(Key("k"), [&](Status, std::optional<Hit> hit) { read.set_value(std::move(hit)); });
  ASSERT_TRUE(chain->ForgetAbove("slow", &k).ok());
  threaded_->Release();
  EXPECT_TRUE(read.get_future().get());
  EXPECT_FALSE(chain->GetNow(Key("k"))) << "not promoted";
  EXPECT_TRUE(AwaitGet(*chain, Key("k")));
  EXPECT_TRUE(chain->GetNow(Key("k"))) << "a read begun after the change promotes";
}

// A read whose call to the tier below RAM the build makes itself completes as the chain's own: an inline hit at
// once, a hit counted and promoted with its expiry, a failure reported and counted as a miss, and a change
// announced while it was on its way keeping it out of RAM.
TEST_F(TierChainTest, OutsideReadsAreCountedPromotedAndReportedAsTheChainsOwn) {
  auto chain = Chain(Specs(Ram("ram"), Threaded("slow")));
  ASSERT_TRUE(AwaitSet(*chain, Key("in ram"), "1").ok());
  TierChain::OutsideRead read;
  ASSERT_TRUE(chain->BeginOutsideRead(Key("in ram"), &read)) << "a RAM hit needs no outside read";

  const Key k("k");
  ASSERT_FALSE(chain->BeginOutsideRead(k, &read));
  std::optional<Hit> answer;
  const int64_t expires = clock_->NowMs() + 5000;
  chain->AnswerOutsideRead(k, read, Status::Ok(), Hit{Bytes::Copy(std::string("v")), expires},
                           [&](Status status, std::optional<Hit> hit) {
                             EXPECT_TRUE(status.ok());
                             answer = std::move(hit);
                           });
  ASSERT_TRUE(answer);
  std::optional<Hit> promoted = chain->GetNow(k);
  ASSERT_TRUE(promoted) << "promoted into RAM";
  EXPECT_EQ(promoted->expires_at_ms, expires) << "with its remaining TTL";

  const Key failed("failed");
  ASSERT_FALSE(chain->BeginOutsideRead(failed, &read));
  chain->AnswerOutsideRead(failed, read, Status(StatusCode::kUnavailable, "get failed: down"), std::nullopt,
                           [&](Status status, std::optional<Hit> hit) {
                             EXPECT_TRUE(status.ok()) << "a tier that cannot be read is a miss";
                             EXPECT_FALSE(hit);
                           });
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0], "error slow failed: get failed: down");

  const Key raced("raced");
  ASSERT_FALSE(chain->BeginOutsideRead(raced, &read));
  const Digest digest = raced.digest();
  ASSERT_TRUE(chain->ForgetAbove("slow", &digest).ok());
  bool answered = false;
  chain->AnswerOutsideRead(raced, read, Status::Ok(), Hit{Bytes::Copy(std::string("old")), kNeverExpires},
                           [&](Status, std::optional<Hit> hit) { answered = hit.has_value(); });
  EXPECT_TRUE(answered);
  EXPECT_FALSE(chain->GetNow(raced)) << "read before the change was announced: not promoted";

  const ChainStats stats = chain->Stats();
  EXPECT_EQ(stats.hits, 4u);  // "in ram", k, raced, and k's GetNow
  EXPECT_EQ(stats.tiers[1].hits, 2u);
  EXPECT_EQ(stats.tiers[1].misses, 1u);
  EXPECT_EQ(stats.tiers[0].promotions, 1u);
}

// An outside read of a tier with tiers below it goes on to them on a miss, as Get does.
TEST_F(TierChainTest, AnOutsideReadThatMissesReadsTheTiersBelow) {
  std::vector<TierSpec> tiers;
  tiers.push_back(Ram("ram"));
  tiers.push_back(Threaded("outside"));
  tiers.push_back(Threaded("below"));
  auto chain = Chain(std::move(tiers));
  ASSERT_TRUE(AwaitSet(*chain, Key("k"), "v").ok());
  ASSERT_TRUE(chain->ForgetAbove("outside", nullptr).ok());
  EXPECT_FALSE(chain->outside_read_is_last());
  TierChain::OutsideRead read;
  ASSERT_FALSE(chain->BeginOutsideRead(Key("k"), &read));
  std::promise<std::optional<Hit>> result;
  chain->AnswerOutsideRead(Key("k"), read, Status::Ok(), std::nullopt,
                           [&](Status, std::optional<Hit> hit) { result.set_value(std::move(hit)); });
  std::optional<Hit> hit = result.get_future().get();
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value.view(), "v");
  EXPECT_TRUE(chain->GetNow(Key("k"))) << "promoted into RAM";
  EXPECT_EQ(chain->Stats().tiers[1].misses, 1u) << "the outside read's miss, counted";
}

class WriteBackTest : public TierChainTest {
 protected:
  // [hot: RAM of `hot_limit` bytes, slow: a threaded store], write-back, with demote events recorded.
  std::shared_ptr<TierChain> WriteBackChain(uint64_t hot_limit, Ttl hot_ttl = Ttl::Unset(),
                                            Ttl slow_ttl = Ttl::Unset()) {
    auto chain = Chain(Specs(Ram("hot", hot_limit, hot_ttl), Threaded("slow", slow_ttl)));
    EXPECT_TRUE(chain->EnableWriteBack().ok());
    RecordDemotions(*chain);
    return chain;
  }
  void RecordDemotions(TierChain& chain) {
    chain.events().Subscribe(
        [this](const CacheEvent& event) {
          std::lock_guard lock(errors_mu_);
          demotions_.push_back(event.tier + " " + event.key + " " + event.reason);
        },
        static_cast<EventKinds>(EventKind::kDemote));
  }
  static void AwaitFlush(TierChain& chain) {
    std::promise<Status> flushed;
    chain.Flush("", [&](Status status) { flushed.set_value(status); });
    EXPECT_TRUE(flushed.get_future().get().ok());
  }
  uint64_t SlowEntries() {
    threaded_->Drain();
    return threaded_->Counters().entries;
  }
  std::vector<std::string> Demotions() {
    std::lock_guard lock(errors_mu_);
    return demotions_;
  }

  std::vector<std::string> demotions_;
};

TEST_F(WriteBackTest, AnEntryReachesTheTierBelowWhenEvictedFromTheFirst) {
  const uint64_t one = RamStore::ChargeFor(2, 100, false);
  auto chain = WriteBackChain(3 * one);
  const std::string value(100, 'a');
  ASSERT_TRUE(AwaitSet(*chain, Key("k0"), value).ok());
  EXPECT_EQ(SlowEntries(), 0u) << "a write-back set writes the first tier only";
  EXPECT_EQ(threaded_->operations(), 0);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(chain->SetNow(Key("k" + std::to_string(i)), Bytes::Copy(value), {}).ok());
  AwaitFlush(*chain);  // waits for the demotion, then writes down k1..k3 too
  EXPECT_EQ(SlowEntries(), 4u);
  const std::vector<std::string> demoted = Demotions();
  ASSERT_EQ(demoted.size(), 4u);
  EXPECT_EQ(demoted[0], "slow k0 evict");
  EXPECT_EQ(std::count_if(demoted.begin(), demoted.end(), [](const std::string& d) { return d.ends_with("flush"); }),
            3);
  EXPECT_EQ(chain->Stats().tiers[1].demotions, 4u);
  std::optional<Hit> hit = AwaitGet(*chain, Key("k0"));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value.view(), value);
  // Flushed entries are clean: leaving the first tier later writes nothing again.
  for (int i = 4; i < 10; ++i) ASSERT_TRUE(chain->SetNow(Key("x" + std::to_string(i)), Bytes::Copy("v"), {}).ok());
  threaded_->Drain();
  const std::vector<std::string> later = Demotions();
  EXPECT_TRUE(std::none_of(later.begin() + 4, later.end(), [](const std::string& d) { return d[5] == 'k'; }))
      << "k1..k3 were written down already";
}

TEST_F(WriteBackTest, AFlushWritesDownOldestFirst) {
  // As under write-through, the tier below sees the writes in the order they were made, so a bounded tier there
  // keeps the most recent. The keys' digests are in no particular order.
  auto chain = WriteBackChain(1 << 20);
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "k" + std::to_string(i * 7 % 40);
    ASSERT_TRUE(chain->SetNow(Key(key), Bytes::Copy("v"), {}).ok());
    expected.push_back("slow " + key + " flush");
  }
  AwaitFlush(*chain);
  EXPECT_EQ(Demotions(), expected);
}

TEST_F(WriteBackTest, EntriesLeavingTogetherAreWrittenDownOldestFirst) {
  // An LFU first tier evicts the less used first: b before a, in one batch (the insert of c). They reach the tier
  // below in the order they were written, a first, as under write-through.
  const uint64_t one = RamStore::ChargeFor(1, 100, false, RamPolicy::kLfu);
  auto lfu = std::make_unique<RamStore>(RamStoreOptions{2 * one, 1, RamPolicy::kLfu}, clock_);
  auto chain = Chain(Specs(TierSpec{"hot", std::move(lfu), Ttl::Unset()}, Threaded("slow")));
  ASSERT_TRUE(chain->EnableWriteBack().ok());
  RecordDemotions(*chain);
  ASSERT_TRUE(chain->SetNow(Key("a"), Bytes::Copy(std::string(100, 'a')), {}).ok());
  ASSERT_TRUE(chain->SetNow(Key("b"), Bytes::Copy(std::string(100, 'b')), {}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(chain->GetNow(Key("a")));
  ASSERT_TRUE(chain->SetNow(Key("c"), Bytes::Copy(std::string(180, 'c')), {}).ok());
  threaded_->Drain();
  EXPECT_EQ(Demotions(), (std::vector<std::string>{"slow a evict", "slow b evict"}));
}

TEST_F(WriteBackTest, AnEntryLeavingIsFoundWhileItIsWrittenDown) {
  const uint64_t one = RamStore::ChargeFor(1, 1, false);
  auto chain = WriteBackChain(one);
  threaded_->Hold();
  ASSERT_TRUE(chain->SetNow(Key("a"), Bytes::Copy("1"), {}).ok());
  ASSERT_TRUE(chain->SetNow(Key("b"), Bytes::Copy("2"), {}).ok());  // evicts a; its write down is held
  EXPECT_FALSE(chain->GetNow(Key("a")));
  bool found = false;
  chain->Has(Key("a"), [&](Status, bool present) { found = present; });
  EXPECT_TRUE(found) << "answered at once from the entry being written down";
  std::optional<Hit> hit;
  chain->Get(Key("a"), [&](Status, std::optional<Hit> h) { hit = std::move(h); });
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->value.view(), "1");
  threaded_->Release();
  AwaitFlush(*chain);
  EXPECT_EQ(SlowEntries(), 2u) << "a was written down, and b when the get of a promoted a over it";
}

TEST_F(WriteBackTest, ExpiryInTheFirstTierDemotesWithTheLowerTiersTtl) {
  auto chain = WriteBackChain(1 << 20, Ttl::Millis(1'000), Ttl::Millis(3'600'000));
  ASSERT_TRUE(chain->SetNow(Key("tier-ttl"), Bytes::Copy("v"), {}).ok());
  ASSERT_TRUE(chain->SetNow(Key("call-ttl"), Bytes::Copy("v"), {Ttl::Millis(1'000)}).ok());
  clock_->Advance(2'000);
  chain->Sweep();
  EXPECT_EQ(SlowEntries(), 1u) << "an entry whose own TTL ran out is not written down";
  EXPECT_EQ(Demotions(), std::vector<std::string>{"slow tier-ttl expire"});
  std::optional<Hit> hit = AwaitGet(*chain, Key("tier-ttl"));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->expires_at_ms, clock_->NowMs() - 2'000 + 3'600'000) << "the slow tier's TTL from the write";
  EXPECT_FALSE(AwaitGet(*chain, Key("call-ttl")));
}

TEST_F(WriteBackTest, DeleteAndClearDropPendingWrites) {
  auto chain = WriteBackChain(1 << 20);
  ASSERT_TRUE(chain->SetNow(Key("a"), Bytes::Copy("1"), {}).ok());
  ASSERT_TRUE(chain->SetNow(Key("b"), Bytes::Copy("2"), {}).ok());
  EXPECT_TRUE(chain->DeleteNow(Key("a")));
  AwaitFlush(*chain);
  EXPECT_EQ(SlowEntries(), 1u);
  ASSERT_TRUE(chain->SetNow(Key("c"), Bytes::Copy("3"), {}).ok());
  std::promise<Status> cleared;
  chain->Clear([&](Status status) { cleared.set_value(status); });
  ASSERT_TRUE(cleared.get_future().get().ok());
  AwaitFlush(*chain);
  EXPECT_EQ(SlowEntries(), 0u);
}

// A write-back write not yet written down is newer than what another process announced: it stays, and is
// written down later; what the first tier holds from reads is dropped.
TEST_F(WriteBackTest, ForgetAboveSparesWritesNotYetWrittenDown) {
  auto chain = WriteBackChain(1 << 20);
  ASSERT_TRUE(chain->SetNow(Key("mine"), Bytes::Copy("1"), {}).ok());
  ASSERT_TRUE(AwaitSet(*chain, Key("read"), "2").ok());
  AwaitFlush(*chain);  // "read" is written down: no longer pending
  ASSERT_TRUE(chain->SetNow(Key("mine"), Bytes::Copy("3"), {}).ok());
  const Digest mine = Key("mine").digest();
  ASSERT_TRUE(chain->ForgetAbove("slow", &mine).ok());
  ASSERT_TRUE(chain->GetNow(Key("mine")));
  ASSERT_TRUE(chain->ForgetAbove("slow", nullptr).ok());
  EXPECT_FALSE(chain->GetNow(Key("read")));
  std::optional<Hit> kept = chain->GetNow(Key("mine"));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->value.view(), "3");
  AwaitFlush(*chain);
  EXPECT_EQ(SlowEntries(), 2u);
}

TEST_F(WriteBackTest, AValueTooLargeForTheFirstTierIsWrittenThrough) {
  auto chain = WriteBackChain(RamStore::ChargeFor(1, 10, false));
  ASSERT_TRUE(AwaitSet(*chain, Key("big"), std::string(1000, 'x')).ok());
  EXPECT_EQ(SlowEntries(), 1u);
  EXPECT_TRUE(AwaitGet(*chain, Key("big")));
}

TEST_F(WriteBackTest, NeedsARamTierFirstAndATierBelow) {
  EXPECT_EQ(Chain(One(Ram("ram")))->EnableWriteBack().code(), StatusCode::kInvalidArg);
  EXPECT_EQ(Chain(Specs(Threaded("slow"), Ram("ram")))->EnableWriteBack().code(), StatusCode::kInvalidArg);
}

// Threads overwrite and evict each other's entries; after a flush the tier below holds every key's last value.
TEST_F(WriteBackTest, EveryKeysLastValueIsWrittenDownUnderThreads) {
  auto chain = WriteBackChain(RamStore::ChargeFor(8, 8, false) * 20);
  constexpr int kThreads = 4;
  constexpr int kKeys = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (int i = t; i < kKeys; i += kThreads) {
          const std::string value = std::to_string(i) + "/" + std::to_string(round);
          EXPECT_TRUE(chain->SetNow(Key("k" + std::to_string(i)), Bytes::Copy(value), {}).ok());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  AwaitFlush(*chain);
  EXPECT_EQ(SlowEntries(), static_cast<uint64_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    std::optional<Hit> hit = AwaitGet(*chain, Key("k" + std::to_string(i)));
    ASSERT_TRUE(hit) << i;
    EXPECT_EQ(hit->value.view(), std::to_string(i) + "/2");
  }
}

}  // namespace
}  // namespace stratacache
