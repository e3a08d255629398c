// The RAM tier's eviction policies (ram_store.h describes each). A policy is an order over a set of entries: a
// shard's, or one namespace's part of a shard, which reuses the same type. It holds its own per-entry fields in
// `Node` (a base of the store's entry, or of the entry's node in its namespace) and its own structure, and answers
// the shard, always under the shard's lock:
//   Insert(node, use, proven)  an entry joins; `proven`: one that earned it skips probation (s3-fifo's small FIFO)
//   Touch(node, use)           the entry is used
//   Erase(node, charge)        the entry leaves
//   Candidate(keep)            the entry to look at next for eviction, other than `keep`; null when none
//   Expendable(node)           whether that candidate goes; if not, Spare(node, charge) gives it another round
//   OnProbation(node)          whether an entry evicted now is remembered in the shard's `Memory`
// A policy that gives no second rounds has Expendable always true, and the shard's loop folds away. Besides, it
// names what it adds to each entry's charge outside `Node` (kHeapBytesPerNode), whether it reads the clock
// (kWeighsTime), and the shard's memory of evicted entries (Memory).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>

#include "stratacache/eviction_policy.h"

namespace stratacache::ram {

// What the allocator keeps beside each heap block, and the granule it rounds sizes up to (glibc, 64-bit).
constexpr uint64_t kAllocatorOverhead = 16;

constexpr uint64_t HeapBlock(uint64_t bytes) { return (bytes + kAllocatorOverhead + 15) / 16 * 16; }

// A red-black tree node of four words around an (instant or score, entry) pair: the expiry and score indexes.
constexpr uint64_t kIndexNode = 4 * sizeof(void*) + sizeof(std::pair<int64_t, void*>);

// What a policy may weigh when an entry joins or is used.
struct Use {
  int64_t now_ms;   // read only for a policy whose kWeighsTime is set, else 0
  uint64_t size;    // value bytes
  uint64_t charge;  // what the entry is charged against the budget
};

// A circular intrusive list of nodes with `prev` and `next`: the newest at the front, the oldest at the back.
template <class Node>
class List {
 public:
  List() { Clear(); }
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  void Clear() { head_.prev = head_.next = &head_; }
  void PushFront(Node* node) {
    node->prev = &head_;
    node->next = head_.next;
    head_.next->prev = node;
    head_.next = node;
  }
  static void Unlink(Node* node) {
    node->prev->next = node->next;
    node->next->prev = node->prev;
  }
  Node* Back() const { return head_.prev == &head_ ? nullptr : head_.prev; }

 private:
  Node head_;
};

// A shard's memory of the entries it evicted, for a policy that remembers none.
struct NoMemory {
  static constexpr uint64_t Charge() { return 0; }
  bool Recall(uint64_t /*fingerprint*/) { return false; }
  void Remember(uint64_t /*fingerprint*/) {}
  void ForgetOldest() {}
  size_t size() const { return 0; }
  void Clear() {}
};

// s3-fifo's ghosts: evicted digests, remembered by their high word (the low word picks the shard). `order_` is the
// FIFO; `places_` maps each remembered digest to its place in it, counted from the first ever pushed, so that a
// digest forgotten by a recall and pushed again is not dropped by its stale older slot.
class GhostFifo {
 public:
  // A deque slot, and a hash node (next link, fingerprint, place) with its bucket slot.
  static constexpr uint64_t Charge() {
    return sizeof(uint64_t) + HeapBlock(sizeof(void*) + 2 * sizeof(uint64_t)) + sizeof(void*);
  }
  // Whether `fingerprint` is remembered; it is forgotten.
  bool Recall(uint64_t fingerprint) { return places_.erase(fingerprint) != 0; }
  void Remember(uint64_t fingerprint) {
    places_[fingerprint] = popped_ + order_.size();
    order_.push_back(fingerprint);
  }
  void ForgetOldest() {
    auto it = places_.find(order_.front());
    if (it != places_.end() && it->second == popped_) places_.erase(it);
    order_.pop_front();
    ++popped_;
  }
  size_t size() const { return order_.size(); }
  void Clear() {
    order_.clear();
    places_.clear();
  }

 private:
  std::deque<uint64_t> order_;
  std::unordered_map<uint64_t, uint64_t> places_;
  uint64_t popped_ = 0;
};

class Lru {
 public:
  struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
  };
  using Memory = NoMemory;
  static constexpr uint64_t kHeapBytesPerNode = 0;
  static constexpr bool kWeighsTime = false;

  void Insert(Node& node, const Use& /*use*/, bool /*proven*/) { list_.PushFront(&node); }
  void Touch(Node& node, const Use& /*use*/) {
    List<Node>::Unlink(&node);
    list_.PushFront(&node);
  }
  void Erase(Node& node, uint64_t /*charge*/) { List<Node>::Unlink(&node); }
  // `keep` is new, so at the front: at the back only when alone.
  Node* Candidate(const Node* keep) const {
    Node* coldest = list_.Back();
    return coldest == keep ? nullptr : coldest;
  }
  static constexpr bool Expendable(const Node& /*node*/) { return true; }
  void Spare(Node& /*node*/, uint64_t /*charge*/) {}
  static constexpr bool OnProbation(const Node& /*node*/) { return false; }
  void Clear() { list_.Clear(); }

 private:
  List<Node> list_;
};

// lfu and sized-lru: entries by EvictionScore, lowest (first to go) first; equal scores in insertion order.
template <EvictionPolicy kScore>
class Scored {
 public:
  struct Node {
    typename std::multimap<int64_t, Node*>::iterator place;
    uint32_t hits = 0;  // uses since the value was written
  };
  using Memory = NoMemory;
  static constexpr uint64_t kHeapBytesPerNode = HeapBlock(kIndexNode);
  static constexpr bool kWeighsTime = true;

  void Insert(Node& node, const Use& use, bool /*proven*/) {
    node.hits = 0;
    node.place = index_.emplace(EvictionScore(kScore, use.now_ms, 0, use.size), &node);
  }
  void Touch(Node& node, const Use& use) {
    if (node.hits < kLfuMaxHits) ++node.hits;
    // Re-keying the extracted tree node moves the entry without allocating.
    auto moved = index_.extract(node.place);
    moved.key() = EvictionScore(kScore, use.now_ms, node.hits, use.size);
    node.place = index_.insert(std::move(moved));
  }
  void Erase(Node& node, uint64_t /*charge*/) { index_.erase(node.place); }
  Node* Candidate(const Node* keep) const {
    auto it = index_.begin();
    if (it != index_.end() && it->second == keep) ++it;
    return it == index_.end() ? nullptr : it->second;
  }
  static constexpr bool Expendable(const Node& /*node*/) { return true; }
  void Spare(Node& /*node*/, uint64_t /*charge*/) {}
  static constexpr bool OnProbation(const Node& /*node*/) { return false; }
  void Clear() { index_.clear(); }

 private:
  std::multimap<int64_t, Node*> index_;
};

using Lfu = Scored<EvictionPolicy::kLfu>;
using SizedLru = Scored<EvictionPolicy::kSizedLru>;

class S3Fifo {
 public:
  struct Node {
    Node* prev = nullptr;
    Node* next = nullptr;
    uint8_t freq = 0;  // uses since the entry joined or last passed the back of main (0..kMaxFreq)
    bool in_small = false;
  };
  using Memory = GhostFifo;
  static constexpr uint64_t kHeapBytesPerNode = 0;
  static constexpr bool kWeighsTime = false;

  void Insert(Node& node, const Use& use, bool proven) {
    node.freq = 0;
    node.in_small = !proven;
    (proven ? main_ : small_).PushFront(&node);
    bytes_ += use.charge;
    if (node.in_small) small_bytes_ += use.charge;
  }
  void Touch(Node& node, const Use& /*use*/) {
    if (node.freq < kMaxFreq) ++node.freq;
  }
  void Erase(Node& node, uint64_t charge) {
    List<Node>::Unlink(&node);
    bytes_ -= charge;
    if (node.in_small) small_bytes_ -= charge;
  }
  // The back of small while it holds more than its share (or main is empty), else the back of main. `keep` is
  // new, so at the front of its FIFO: at the back only when alone there.
  Node* Candidate(const Node* keep) const {
    Node* small_back = small_.Back();
    Node* main_back = main_.Back();
    if (small_back == keep) small_back = nullptr;
    if (main_back == keep) main_back = nullptr;
    const bool from_small = small_back != nullptr && (main_back == nullptr || small_bytes_ * kSmallShare > bytes_);
    return from_small ? small_back : main_back;
  }
  static bool Expendable(const Node& node) { return node.freq == 0; }
  // Used again since it arrived (small) or since its last pass (main): it stays, at the front of main. Each pass
  // moves an entry from small to main or lowers its counter, so a search for a victim ends.
  void Spare(Node& node, uint64_t charge) {
    List<Node>::Unlink(&node);
    if (node.in_small) {
      node.in_small = false;
      node.freq = 0;
      small_bytes_ -= charge;
    } else {
      --node.freq;
    }
    main_.PushFront(&node);
  }
  static bool OnProbation(const Node& node) { return node.in_small; }
  void Clear() {
    main_.Clear();
    small_.Clear();
    bytes_ = small_bytes_ = 0;
  }

 private:
  static constexpr uint8_t kMaxFreq = 3;
  // Small holds up to 1/kSmallShare of the order's entry bytes; the paper's 10%.
  static constexpr uint64_t kSmallShare = 10;

  List<Node> main_;
  List<Node> small_;
  uint64_t bytes_ = 0;  // the charges of the entries in both FIFOs
  uint64_t small_bytes_ = 0;
};

}  // namespace stratacache::ram
