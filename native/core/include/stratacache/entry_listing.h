// Listing a store's entries a page at a time (Store::ListEntries), for tools and for cache.entries(): each page
// starts after the digest the previous one ended with, so a walk holds no lock and no more than a page between
// pages. A store lists in an order of its choice that depends on digests alone; an entry present for the whole
// walk is therefore listed exactly once, whatever is written or removed meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stratacache/clock.h"
#include "stratacache/key.h"
#include "stratacache/status.h"

namespace stratacache {

// A live entry as a store describes it.
struct ListedEntry {
  Digest digest;  // the cursor for the next page
  std::string ns;  // "" for the default namespace
  std::string key;
  uint64_t size = 0;  // value bytes
  int64_t expires_at_ms = kNeverExpires;
  // When the value was written and last read, where the store keeps them.
  std::optional<int64_t> written_at_ms;
  std::optional<int64_t> accessed_at_ms;
};

struct ListRequest {
  std::optional<Digest> after;  // the last digest of the previous page; none for the first page
  size_t limit = 256;           // entries per page, at least 1
  std::optional<std::string> ns;  // only this namespace
  std::string prefix;             // only keys that start with this
};

// One page, in the store's order; fewer than `limit` entries means the walk is over.
using ListDone = std::function<void(Status, std::vector<ListedEntry>)>;

inline bool DigestLess(const Digest& a, const Digest& b) {
  return a.high != b.high ? a.high < b.high : a.low < b.low;
}

// The digest that Digest::ToHex wrote, or nullopt for any other text.
std::optional<Digest> DigestFromHex(std::string_view hex);

// One page of a listing over an unordered container: offered entries, keeps the `capacity` with the smallest
// digests after `after` that pass the request's filters (in a heap, so a page costs O(n log capacity)).
class ListingPage {
 public:
  ListingPage(const ListRequest& request, std::optional<Digest> after, size_t capacity)
      : request_(request), after_(after), capacity_(capacity) {}

  // Whether an entry of this digest, namespace and key belongs in the page as it stands; check before building
  // the ListedEntry.
  bool Wants(const Digest& digest, std::string_view ns, std::string_view key) const;
  void Offer(ListedEntry entry);
  // The page, in digest order.
  std::vector<ListedEntry> Take();

 private:
  const ListRequest& request_;
  const std::optional<Digest> after_;
  const size_t capacity_;
  std::vector<ListedEntry> heap_;  // a max-heap by digest
};

}  // namespace stratacache
