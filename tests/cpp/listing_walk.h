// Checks of Store::ListEntries that every store must pass (entry_listing.h), written once for the RAM and disk
// suites: a walk in pages lists each live entry once with its namespace, size and expiry; and under churn between
// pages (writes, deletes, new keys) every entry present for the whole walk is listed exactly once.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "stratacache/store.h"

namespace stratacache::testing {

// One page of `store`'s listing, waited for.
inline std::vector<ListedEntry> ListPage(Store& store, const ListRequest& request) {
  std::promise<std::vector<ListedEntry>> done;
  store.ListEntries(request, [&](Status status, std::vector<ListedEntry> page) {
    EXPECT_TRUE(status.ok()) << status.message();
    done.set_value(std::move(page));
  });
  return done.get_future().get();
}

// Every page of a walk; `between(page number)` runs after each page.
template <class Between>
std::vector<ListedEntry> Walk(Store& store, ListRequest request, Between between) {
  std::vector<ListedEntry> all;
  for (int page_number = 0;; ++page_number) {
    std::vector<ListedEntry> page = ListPage(store, request);
    EXPECT_LE(page.size(), request.limit);
    all.insert(all.end(), page.begin(), page.end());
    if (page.size() < request.limit) return all;
    request.after = page.back().digest;
    between(page_number);
  }
}

inline std::vector<ListedEntry> Walk(Store& store, ListRequest request) {
  return Walk(store, std::move(request), [](int) {});
}

// "ns/key" for each listed entry, and how often it came.
inline std::map<std::string, int> Counted(const std::vector<ListedEntry>& entries) {
  std::map<std::string, int> counts;
  for (const ListedEntry& entry : entries) ++counts[entry.ns + "/" + entry.key];
  return counts;
}

inline void Write(Store& store, const Key& key, const std::string& value, int64_t expires_at_ms) {
  std::promise<Status> done;
  store.Put(key, Bytes::Copy(value), expires_at_ms, [&](Status status) { done.set_value(status); });
  ASSERT_TRUE(done.get_future().get().ok());
}

inline void Remove(Store& store, const Key& key) {
  std::promise<void> done;
  store.Delete(key, [&](Status, bool) { done.set_value(); });
  done.get_future().get();
}

// Lists entries with their namespaces, sizes and expiries, skips expired ones, and filters by namespace and
// prefix; `now_ms` is the store's clock.
inline void ChecksListedFields(Store& store, int64_t now_ms) {
  Write(store, Key("a1"), "one", kNeverExpires);
  Write(store, Key("a2"), std::string(5000, 'x'), now_ms + 60'000);
  Write(store, Key("tenant", "a1"), "tenant's", kNeverExpires);
  Write(store, Key("b1"), "gone", now_ms - 1);
  std::map<std::string, ListedEntry> by_name;
  for (const ListedEntry& entry : Walk(store, ListRequest{std::nullopt, 2, std::nullopt, ""})) {
    by_name[entry.ns + "/" + entry.key] = entry;
  }
  ASSERT_EQ(by_name.size(), 3u);  // b1 expired
  EXPECT_EQ(by_name["/a1"].size, 3u);
  EXPECT_EQ(by_name["/a1"].expires_at_ms, kNeverExpires);
  EXPECT_EQ(by_name["/a2"].size, 5000u);
  EXPECT_EQ(by_name["/a2"].expires_at_ms, now_ms + 60'000);
  EXPECT_EQ(by_name["/a2"].digest, Key("a2").digest());
  EXPECT_EQ(by_name["tenant/a1"].size, 8u);
  EXPECT_EQ(Counted(Walk(store, ListRequest{std::nullopt, 10, std::string("tenant"), ""})),
            (std::map<std::string, int>{{"tenant/a1", 1}}));
  EXPECT_EQ(Counted(Walk(store, ListRequest{std::nullopt, 10, std::string(), "a"})),
            (std::map<std::string, int>{{"/a1", 1}, {"/a2", 1}}));
  EXPECT_TRUE(Walk(store, ListRequest{std::nullopt, 10, std::string("nobody"), ""}).empty());
}

// Walks in pages of 7 while, between pages, keys are rewritten, deleted and added. `settle` is called after each
// burst of changes (a store with background writes makes them visible there).
template <class Settle>
void ListsStableEntriesOnceUnderChurn(Store& store, Settle settle, unsigned seed) {
  std::mt19937 random(seed);
  std::set<std::string> stable;
  std::vector<std::string> churned;
  for (int i = 0; i < 120; ++i) {
    const std::string key = "k" + std::to_string(i);
    Write(store, Key(key), "v", kNeverExpires);
    if (i % 3 == 0) {
      churned.push_back(key);
    } else {
      stable.insert(key);
    }
  }
  settle();
  int added = 0;
  const auto listed = Walk(store, ListRequest{std::nullopt, 7, std::nullopt, ""}, [&](int) {
    for (int change = 0; change < 5; ++change) {
      const std::string& victim = churned[random() % churned.size()];
      switch (random() % 3) {
        case 0: Remove(store, Key(victim)); break;
        case 1: Write(store, Key(victim), "rewritten", kNeverExpires); break;
        default: Write(store, Key("new" + std::to_string(added++)), "n", kNeverExpires); break;
      }
      // A stable key rewritten with the same digest stays present throughout.
      Write(store, Key(*std::next(stable.begin(), random() % stable.size())), "same", kNeverExpires);
    }
    settle();
  });
  const std::map<std::string, int> counts = Counted(listed);
  for (const auto& [name, count] : counts) EXPECT_EQ(count, 1) << name << " listed more than once";
  for (const std::string& key : stable) EXPECT_EQ(counts.count("/" + key), 1u) << key << " missing";
}

}  // namespace stratacache::testing
