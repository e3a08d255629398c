#include "stratacache/entry_listing.h"

#include <algorithm>

namespace stratacache {

namespace {

bool ByDigest(const ListedEntry& a, const ListedEntry& b) { return DigestLess(a.digest, b.digest); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  Digest digest;
  for (size_t i = 0; i < 32; ++i) {
    const int value = HexValue(hex[i]);
    if (value < 0) return std::nullopt;
    uint64_t& word = i < 16 ? digest.high : digest.low;
    word = word << 4 | static_cast<uint64_t>(value);
  }
  return digest;
}

bool ListingPage::Wants(const Digest& digest, std::string_view ns, std::string_view key) const {
  if (capacity_ == 0) return false;
  if (after_ && !DigestLess(*after_, digest)) return false;
  if (heap_.size() == capacity_ && !DigestLess(digest, heap_.front().digest)) return false;
  if (request_.ns && *request_.ns != ns) return false;
  return key.substr(0, request_.prefix.size()) == request_.prefix;
}

void ListingPage::Offer(ListedEntry entry) {
  if (!Wants(entry.digest, entry.ns, entry.key)) return;
  if (heap_.size() == capacity_) {
    std::pop_heap(heap_.begin(), heap_.end(), ByDigest);
    heap_.pop_back();
  }
  heap_.push_back(std::move(entry));
  std::push_heap(heap_.begin(), heap_.end(), ByDigest);
}

std::vector<ListedEntry> ListingPage::Take() {
  std::sort_heap(heap_.begin(), heap_.end(), ByDigest);
  return std::move(heap_);
}

}  // namespace stratacache
