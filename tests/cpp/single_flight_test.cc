#include "stratacache/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "manual_clock.h"
#include "stratacache/ram_store.h"
#include "stratacache/tier_chain.h"

namespace stratacache {
namespace {

// What one waiter received.
struct Outcome {
  StatusCode code;
  std::string value;
};

// A waiter that fulfils `promise` with what it receives.
SingleFlight::Waiter Into(std::shared_ptr<std::promise<Outcome>> promise) {
  return [promise](const Status& status, const Bytes& value) {
    promise->set_value(Outcome{status.code(), std::string(value.view())});
  };
}

struct Joined {
  SingleFlight::Ticket ticket;
  std::future<Outcome> outcome;  // valid for waiters only
};

Joined JoinFlight(SingleFlight& flights, const Key& key) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  Joined joined;
  joined.outcome = promise->get_future();
  joined.ticket = flights.Join(key, [&] { return Into(promise); });
  return joined;
}

// N threads join one key at once; exactly one leads, and every other gets the leader's outcome.
std::vector<Outcome> RaceOneKey(const Status& status, const std::string& value, int* leaders) {
  constexpr int kThreads = 8;
  SingleFlight flights;
  const Key key("shared-key");
  std::latch start(kThreads);
  std::latch joined(kThreads);
  std::vector<SingleFlight::Ticket> tickets(kThreads);
  std::vector<std::future<Outcome>> futures(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      Joined j = JoinFlight(flights, key);
      tickets[i] = j.ticket;
      futures[i] = std::move(j.outcome);
      joined.count_down();
    });
  }
  joined.wait();
  *leaders = 0;
  for (const auto& ticket : tickets) {
    if (!ticket.leader()) continue;
    ++*leaders;
    EXPECT_EQ(flights.Complete(key, ticket.flight, status, Bytes::Copy(value)), size_t{kThreads - 1});
  }
  for (auto& thread : threads) thread.join();
  std::vector<Outcome> outcomes;
  for (int i = 0; i < kThreads; ++i) {
    if (!tickets[i].leader()) outcomes.push_back(futures[i].get());
  }
  EXPECT_EQ(flights.in_flight(), 0u);
  return outcomes;
}

TEST(SingleFlightTest, ThreadsOnOneKeyHaveOneLeaderAndShareItsValue) {
  int leaders = 0;
  std::vector<Outcome> outcomes = RaceOneKey(Status::Ok(), "loaded", &leaders);
  EXPECT_EQ(leaders, 1);
  ASSERT_EQ(outcomes.size(), 7u);
  for (const Outcome& outcome : outcomes) {
    EXPECT_EQ(outcome.code, StatusCode::kOk);
    EXPECT_EQ(outcome.value, "loaded");
  }
}

TEST(SingleFlightTest, TheLeadersErrorReachesEveryWaiter) {
  int leaders = 0;
  std::vector<Outcome> outcomes = RaceOneKey(Status(StatusCode::kIo, "loader failed"), "", &leaders);
  EXPECT_EQ(leaders, 1);
  ASSERT_EQ(outcomes.size(), 7u);
  for (const Outcome& outcome : outcomes) EXPECT_EQ(outcome.code, StatusCode::kIo);
}

TEST(SingleFlightTest, AWaiterThatLeavesIsAbortedAndTheOthersStillGetTheValue) {
  SingleFlight flights;
  const Key key("k");
  Joined leader = JoinFlight(flights, key);
  Joined leaving = JoinFlight(flights, key);
  Joined staying = JoinFlight(flights, key);
  ASSERT_TRUE(leader.ticket.leader());
  ASSERT_FALSE(leaving.ticket.leader());
  EXPECT_EQ(leaving.ticket.flight, leader.ticket.flight);

  EXPECT_TRUE(flights.Leave(key, leaving.ticket.waiter));
  EXPECT_EQ(leaving.outcome.get().code, StatusCode::kAborted);
  EXPECT_FALSE(flights.Leave(key, leaving.ticket.waiter));  // once only

  EXPECT_EQ(flights.Complete(key, leader.ticket.flight, Status::Ok(), Bytes::Copy("v")), 1u);
  EXPECT_EQ(staying.outcome.get().value, "v");
  EXPECT_FALSE(flights.Leave(key, staying.ticket.waiter));  // the flight is over
}

TEST(SingleFlightTest, AKeysNextMissLeadsANewFlight) {
  SingleFlight flights;
  const Key key("k");
  Joined first = JoinFlight(flights, key);
  Joined other_key = JoinFlight(flights, Key("other"));
  EXPECT_TRUE(other_key.ticket.leader());
  flights.Complete(key, first.ticket.flight, Status::Ok(), Bytes());
  Joined second = JoinFlight(flights, key);
  EXPECT_TRUE(second.ticket.leader());
  EXPECT_NE(second.ticket.flight, first.ticket.flight);
  // A stale completion of the old flight does not end the new one.
  EXPECT_EQ(flights.Complete(key, first.ticket.flight, Status::Ok(), Bytes()), 0u);
  EXPECT_EQ(flights.in_flight(), 2u);
}

TEST(SingleFlightTest, LandingAfterEveryWaiterLeftStillStoresTheValue) {
  auto clock = std::make_shared<testing::ManualClock>();
  std::vector<TierSpec> tiers;
  tiers.push_back(TierSpec{"ram", std::make_unique<RamStore>(RamStoreOptions{1 << 20, 1}, clock), Ttl::Unset()});
  auto chain = TierChain::Create(std::move(tiers), Ttl::Unset(), clock);
  const Key key("k");
  Joined leader = JoinFlight(chain->flights(), key);
  Joined waiter = JoinFlight(chain->flights(), key);
  EXPECT_TRUE(chain->flights().Leave(key, waiter.ticket.waiter));

  Status landed(StatusCode::kIo, "not landed");
  chain->Land(key, leader.ticket.flight, Bytes::Copy("value"), {Ttl::Unset()}, [&](Status status) { landed = status; });
  EXPECT_TRUE(landed.ok());
  EXPECT_EQ(chain->flights().in_flight(), 0u);
  std::optional<Hit> hit = chain->GetNow(key);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->value.view(), "value");
}

}  // namespace
}  // namespace stratacache
