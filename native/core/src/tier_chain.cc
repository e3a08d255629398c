#include "stratacache/tier_chain.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <type_traits>
#include <utility>

namespace stratacache {

struct TierChain::Tier {
  std::string name;
  std::unique_ptr<Store> store;
  InlineStore* inline_store;  // non-null when the store completes inline
  bool read_only;             // never written, deleted from or cleared
  bool remote;                // waits on something outside the process (see Store::remote)
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
  std::atomic<uint64_t> promotions{0};
  std::atomic<uint64_t> demotions{0};
};

namespace {

// Combines the outcomes of one write across tiers. A tier that passes the write over (a value too large for it;
// for a set, a tier whose breaker is open) is fine as long as another tier took it; any other failure is the
// write's failure. A clear may not pass over an unavailable tier: its entries would come back.
class WriteOutcome {
 public:
  explicit WriteOutcome(bool may_skip_unavailable = true) : may_skip_unavailable_(may_skip_unavailable) {}

  void Add(const Status& status) {
    if (status.ok()) {
      stored_ = true;
    } else if (status.code() == StatusCode::kTooLarge ||
               (may_skip_unavailable_ && status.code() == StatusCode::kUnavailable)) {
      if (skipped_.ok()) skipped_ = status;
    } else if (failure_.ok()) {
      failure_ = status;
    }
  }
  Status Result() const {
    if (!failure_.ok()) return failure_;
    return stored_ ? Status::Ok() : skipped_;
  }

 private:
  const bool may_skip_unavailable_;
  bool stored_ = false;
  Status skipped_;
  Status failure_;
};

// Waits for `count` tier operations to finish, then reports their combined outcome once.
class WriteJoin {
 public:
  WriteJoin(size_t count, Done done, bool may_skip_unavailable = true)
      : pending_(count), outcome_(may_skip_unavailable), done_(std::move(done)) {}

  void Add(const Status& status) {
    Done done;
    Status result;
    {
      std::lock_guard lock(mu_);
      outcome_.Add(status);
      if (--pending_ != 0) return;
      done = std::move(done_);
      result = outcome_.Result();
    }
    done(result);
  }

 private:
  std::mutex mu_;
  size_t pending_;
  WriteOutcome outcome_;
  Done done_;
};

// Waits for `count` tier operations that each answer a value (found, removed), then reports the first failure
// and the values combined: any found (deletes), removals summed (cleans, verifications).
template <class T>
class ResultJoin {
 public:
  using Callback = std::function<void(Status, T)>;
  ResultJoin(size_t count, Callback done) : pending_(count), done_(std::move(done)) {}

  void Add(const Status& status, T value) {
    Callback done;
    {
      std::lock_guard lock(mu_);
      if (!status.ok() && failure_.ok()) failure_ = status;
      if constexpr (std::is_same_v<T, bool>) {
        result_ = result_ || value;
      } else {
        result_ += value;
      }
      if (--pending_ != 0) return;
      done = std::move(done_);
    }
    done(failure_, result_);
  }

 private:
  std::mutex mu_;
  size_t pending_;
  Status failure_;
  T result_{};
  Callback done_;
};

// One call's completion, run once: by the store's answer or by the chain ending the call, whichever comes first.
template <class... Args>
class OnceDone {
 public:
  explicit OnceDone(std::function<void(Status, Args...)> done) : done_(std::move(done)) {}

  void Run(Status status, Args... args) {
    std::function<void(Status, Args...)> done;
    {
      std::lock_guard lock(mu_);
      done.swap(done_);
    }
    if (done) done(std::move(status), std::move(args)...);
  }

 private:
  std::mutex mu_;
  std::function<void(Status, Args...)> done_;
};

Status ClosedWhileWaiting(const std::string& tier) {
  return Status(StatusCode::kClosed, "the cache closed while tier '" + tier + "' had not answered", false);
}

}  // namespace

std::shared_ptr<TierChain> TierChain::Create(std::vector<TierSpec> tiers, Ttl default_ttl,
                                             std::shared_ptr<const Clock> clock, const std::vector<TtlRule>& rules) {
  return std::shared_ptr<TierChain>(new TierChain(std::move(tiers), default_ttl, std::move(clock), rules));
}

TierChain::TierChain(std::vector<TierSpec> tiers, Ttl default_ttl, std::shared_ptr<const Clock> clock,
                     const std::vector<TtlRule>& rules)
    : clock_(std::move(clock)) {
  std::vector<std::string> names;
  std::vector<Ttl> defaults;
  bool leading = true;
  for (TierSpec& spec : tiers) {
    auto tier = std::make_unique<Tier>();
    tier->name = std::move(spec.name);
    tier->store = std::move(spec.store);
    tier->inline_store = tier->store->AsInline();
    tier->read_only = tier->store->read_only();
    tier->remote = tier->store->remote();
    if (!tier->read_only) ++writable_count_;
    tier->store->ReportRemovalsTo(&events_, tier->name);
    names.push_back(tier->name);
    defaults.push_back(spec.default_ttl);
    leading = leading && tier->inline_store != nullptr;
    if (leading) {
      ++inline_prefix_;
      tier->inline_store->CountChangesIn(changes_);
    }
    tiers_.push_back(std::move(tier));
  }
  ttls_.emplace(names, std::move(defaults), default_ttl, rules);
}

int64_t TierChain::ExpiryFor(size_t tier, const WriteOptions& write, int64_t now_ms) const {
  const int64_t expires = ttls_->Resolve(tier, write).ExpiresAt(now_ms);
  return expires == kNeverExpires ? expires : expires + write.stale_ms;
}

void TierChain::ReportError(const Tier& tier, const Key& key, const Status& status) const {
  if (events_.wants(EventKind::kError)) {
    events_.Emit(CacheEvent{EventKind::kError, tier.name, key.text(), {}, status.InTier(tier.name), key.ns()});
  }
}

void TierChain::ReportPromotion(size_t into, size_t from, const Key& key) const {
  tiers_[into]->promotions.fetch_add(1, std::memory_order_relaxed);
  if (events_.wants(EventKind::kPromote)) {
    events_.Emit(
        CacheEvent{EventKind::kPromote, tiers_[into]->name, key.text(), tiers_[from]->name, Status::Ok(), key.ns()});
  }
}

void TierChain::ReportDemotion(size_t into, const Key& key, std::string_view why) const {
  tiers_[into]->demotions.fetch_add(1, std::memory_order_relaxed);
  if (events_.wants(EventKind::kDemote)) {
    events_.Emit(CacheEvent{EventKind::kDemote, tiers_[into]->name, key.text(), std::string(why), Status::Ok(),
                            key.ns()});
  }
}

Status TierChain::EnableWriteBack() {
  if (tiers_[0]->inline_store == nullptr) {
    return Status(StatusCode::kInvalidArg, "writePolicy 'back' needs a RAM tier first, to hold the writes");
  }
  if (writable_count_ < 2) {
    return Status(StatusCode::kInvalidArg, "writePolicy 'back' needs a tier below the first that takes writes");
  }
  write_back_ = true;
  tiers_[0]->inline_store->HandDeparturesTo([weak = weak_from_this()](std::vector<Departure> departures) {
    if (auto self = weak.lock()) self->OnDepartures(std::move(departures));
  });
  return Status::Ok();
}

Status TierChain::SetBack(const Key& key, const Bytes& value, const WriteOptions& write) {
  const int64_t now = clock_->NowMs();
  // Recorded before the insert: another thread may evict the entry as soon as it is in.
  {
    std::lock_guard lock(write_back_mu_);
    pending_.insert_or_assign(key.digest(), PendingWrite{key, write, now, value.data(), next_pending_++});
  }
  Status status = tiers_[0]->inline_store->Insert(key, value, ExpiryFor(0, write, now));
  if (!status.ok()) TakePending(key.digest(), value.data());
  return status;
}

std::optional<TierChain::PendingWrite> TierChain::TakePending(const Digest& digest, const uint8_t* value) {
  std::lock_guard lock(write_back_mu_);
  auto it = pending_.find(digest);
  if (it == pending_.end() || it->second.value != value) return std::nullopt;
  PendingWrite pending = std::move(it->second);
  pending_.erase(it);
  return pending;
}

void TierChain::OnDepartures(std::vector<Departure> departures) {
  std::lock_guard order(demote_mu_);
  std::vector<std::pair<PendingWrite, const Departure*>> leaving;
  for (const Departure& departure : departures) {
    if (std::optional<PendingWrite> pending = TakePending(departure.digest, departure.hit.value.data())) {
      leaving.emplace_back(std::move(*pending), &departure);
    }
  }
  // Written down in the order they were written, as a flush does (the store may list them otherwise).
  std::sort(leaving.begin(), leaving.end(), [](const auto& a, const auto& b) { return a.first.order < b.first.order; });
  for (const auto& [pending, departure] : leaving) {
    Demote(pending, departure->hit, departure->why == EventKind::kEvict ? "evict" : "expire");
  }
}

void TierChain::Demote(const PendingWrite& pending, const Hit& hit, std::string_view why) {
  const int64_t now = clock_->NowMs();
  std::vector<std::pair<size_t, int64_t>> targets;  // tier, expiry there
  for (size_t i = 1; i < tiers_.size(); ++i) {
    if (tiers_[i]->read_only) continue;
    const int64_t expires = ExpiryFor(i, pending.write, pending.written_at_ms);
    if (expires > now) targets.emplace_back(i, expires);
  }
  if (targets.empty()) return;
  const Digest digest = pending.key.digest();
  uint64_t leaving_id;
  {
    std::lock_guard lock(write_back_mu_);
    leaving_id = next_leaving_++;
    leaving_.insert_or_assign(digest, Leaving{pending.key.text(), Hit{hit.value, targets[0].second}, leaving_id});
  }
  auto unfinished = std::make_shared<std::atomic<size_t>>(targets.size());
  for (const auto& target : targets) {
    const size_t i = target.first;  // named: clang 14 cannot capture a structured binding
    PutInBackground(i, pending.key, hit.value, target.second,
                    [self = shared_from_this(), i, key = pending.key, why = std::string(why), unfinished,
                     leaving_id](bool stored) {
                      if (stored) self->ReportDemotion(i, key, why);
                      if (unfinished->fetch_sub(1) == 1) self->ForgetLeaving(key.digest(), leaving_id);
                    });
  }
}

void TierChain::WriteDownPending() {
  // Expired entries the first tier still holds leave now, and their departures write them down.
  tiers_[0]->store->Sweep();
  std::vector<PendingWrite> pending;
  {
    std::lock_guard lock(write_back_mu_);
    for (const auto& [digest, write] : pending_) pending.push_back(write);
  }
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  std::lock_guard order(demote_mu_);
  for (const PendingWrite& write : pending) {
    std::optional<Hit> hit = tiers_[0]->inline_store->Peek(write.key);
    // An entry that left meanwhile was written down by its departure.
    if (!hit || hit->value.data() != write.value || !TakePending(write.key.digest(), write.value)) continue;
    Demote(write, *hit, "flush");
  }
}

std::optional<Hit> TierChain::FindLeaving(const Key& key) {
  std::lock_guard lock(write_back_mu_);
  auto it = leaving_.find(key.digest());
  if (it == leaving_.end() || it->second.key != key.text() || it->second.hit.expires_at_ms <= clock_->NowMs()) {
    return std::nullopt;
  }
  return it->second.hit;
}

void TierChain::ForgetLeaving(const Digest& digest, uint64_t id) {
  std::lock_guard lock(write_back_mu_);
  auto it = leaving_.find(digest);
  if (it != leaving_.end() && it->second.id == id) leaving_.erase(it);
}

void TierChain::ForgetWriteBack(const Key* key) {
  if (!write_back_) return;
  std::lock_guard lock(write_back_mu_);
  if (key == nullptr) {
    pending_.clear();
    leaving_.clear();
    return;
  }
  pending_.erase(key->digest());
  leaving_.erase(key->digest());
}

bool TierChain::UnwrittenLocked(const Digest& digest) const {
  return pending_.count(digest) > 0 || leaving_.count(digest) > 0;
}

Status TierChain::ForgetAbove(std::string_view shared, const Digest* digest) {
  size_t below = 0;
  while (below < tiers_.size() && tiers_[below]->name != shared) ++below;
  if (below == tiers_.size()) return Status(StatusCode::kInvalidArg, "no tier is named '" + std::string(shared) + "'");
  if (below > inline_prefix_) {
    return Status(StatusCode::kInvalidArg, "tier '" + tiers_[inline_prefix_]->name + "' above '" +
                                               std::string(shared) + "' is not a RAM tier");
  }
  // Before the erase: a read of the tier below already on its way must not promote what it finds (GetBelow).
  if (digest != nullptr) forgets_.Bump(*digest);
  else forgets_.BumpAll();
  for (size_t i = 0; i < below; ++i) {
    InlineStore& store = *tiers_[i]->inline_store;
    if (i > 0 || !write_back_) {
      if (digest != nullptr) store.EraseDigest(*digest);
      else store.EraseAll();
      continue;
    }
    // Held across the erase: a write recorded meanwhile must not lose its entry.
    std::lock_guard lock(write_back_mu_);
    if (digest == nullptr) {
      store.EraseAllBut([this](const Digest& kept) { return UnwrittenLocked(kept); });
    } else if (!UnwrittenLocked(*digest)) {
      store.EraseDigest(*digest);
    }
  }
  return Status::Ok();
}

uint64_t TierChain::BeginBackground(size_t tier) {
  std::lock_guard lock(background_mu_);
  const uint64_t id = next_background_++;
  background_.emplace(id, tier);
  return id;
}

bool TierChain::FlushedLocked(const FlushWaiter& waiter) const {
  for (auto it = background_.begin(); it != background_.end() && it->first < waiter.before; ++it) {
    if (!waiter.tier || *waiter.tier == it->second) return false;
  }
  return true;
}

void TierChain::EndBackground(uint64_t id) {
  std::vector<Done> ready;
  {
    std::lock_guard lock(background_mu_);
    background_.erase(id);
    std::erase_if(flush_waiters_, [&](FlushWaiter& waiter) {
      if (!FlushedLocked(waiter)) return false;
      ready.push_back(std::move(waiter.done));
      return true;
    });
  }
  for (Done& done : ready) done(Status::Ok());
}

void TierChain::Flush(std::string_view tier, Done done) {
  if (write_back_) WriteDownPending();
  FlushWaiter waiter{0, std::nullopt, std::move(done)};
  if (!tier.empty()) {
    auto named = std::find_if(tiers_.begin(), tiers_.end(), [&](const auto& t) { return t->name == tier; });
    if (named == tiers_.end()) {
      return waiter.done(Status(StatusCode::kInvalidArg, "flush: this cache has no tier '" + std::string(tier) + "'"));
    }
    waiter.tier = static_cast<size_t>(named - tiers_.begin());
  }
  {
    std::lock_guard lock(background_mu_);
    waiter.before = next_background_;
    if (!FlushedLocked(waiter)) {
      flush_waiters_.push_back(std::move(waiter));
      return;
    }
  }
  waiter.done(Status::Ok());
}

void TierChain::Promote(const Key& key, const Hit& hit, size_t found_in) {
  // A read-only tier is a source, not a cache: its entries have no expiry of their own to pass on.
  const bool from_source = tiers_[found_in]->read_only;
  const int64_t now = from_source ? clock_->NowMs() : 0;
  for (size_t i = 0; i < found_in; ++i) {
    Tier& tier = *tiers_[i];
    const int64_t expires = from_source ? ExpiryFor(i, WriteOptions(), now) : hit.expires_at_ms;
    if (tier.inline_store) {
      Status status = tier.inline_store->Insert(key, hit.value, expires);
      if (status.ok()) ReportPromotion(i, found_in, key);
      if (!status.ok() && status.code() != StatusCode::kTooLarge) ReportError(tier, key, status);
      continue;
    }
    PutInBackground(i, key, hit.value, expires, [self = shared_from_this(), i, found_in, key](bool stored) {
      if (stored) self->ReportPromotion(i, found_in, key);
    });
  }
}

void TierChain::PutInBackground(size_t tier, const Key& key, const Bytes& value, int64_t expires_at_ms,
                                std::function<void(bool stored)> landed) {
  const uint64_t id = BeginBackground(tier);
  tiers_[tier]->store->Put(key, value, expires_at_ms,
                           [self = shared_from_this(), tier, key, id, landed = std::move(landed)](Status status) {
                             if (!status.ok() && status.code() != StatusCode::kTooLarge) {
                               self->ReportError(*self->tiers_[tier], key, status);
                             }
                             landed(status.ok());
                             self->EndBackground(id);
                           });
}

template <class... Args>
std::function<void(Status, Args...)> TierChain::EndableCall(size_t tier, std::function<void(Status, Args...)> done) {
  if (!tiers_[tier]->remote) return done;
  auto once = std::make_shared<OnceDone<Args...>>(std::move(done));
  uint64_t id;
  {
    std::lock_guard lock(remote_calls_mu_);
    id = next_remote_call_++;
    remote_calls_.emplace(id, [once, name = tiers_[tier]->name] { once->Run(ClosedWhileWaiting(name), Args{}...); });
  }
  // Holds the chain, as every call's completion does: the stores (and their threads, which may run this) then
  // outlive every request they still have on the wire, ended or not.
  return [self = shared_from_this(), id, once](Status status, Args... args) {
    self->ForgetRemoteCall(id);
    once->Run(std::move(status), std::move(args)...);
  };
}

void TierChain::ForgetRemoteCall(uint64_t id) {
  std::lock_guard lock(remote_calls_mu_);
  remote_calls_.erase(id);
}

void TierChain::EndRemoteCalls() {
  std::unordered_map<uint64_t, std::function<void()>> calls;
  {
    std::lock_guard lock(remote_calls_mu_);
    calls.swap(remote_calls_);
  }
  for (auto& [id, end] : calls) end();
}

void TierChain::CancelRemote() {
  for (auto& tier : tiers_) {
    if (tier->remote) tier->store->Cancel();
  }
}

std::optional<Hit> TierChain::LookupInline(const Key& key) {
  for (size_t i = 0; i < inline_prefix_; ++i) {
    Tier& tier = *tiers_[i];
    std::optional<Hit> hit = tier.inline_store->Lookup(key);
    if (hit) {
      tier.hits.fetch_add(1, std::memory_order_relaxed);
      hits_.fetch_add(1, std::memory_order_relaxed);
      if (i > 0) Promote(key, *hit, i);
      return hit;
    }
    tier.misses.fetch_add(1, std::memory_order_relaxed);
  }
  return std::nullopt;
}

void TierChain::TouchInline(const Key& key) {
  for (size_t i = 0; i < inline_prefix_; ++i) {
    if (tiers_[i]->inline_store->Lookup(key)) return;
  }
}

std::optional<Hit> TierChain::GetNow(const Key& key, size_t* found_in) {
  std::optional<Hit> hit;
  size_t next = 0;
  // Tiers below the first that cannot answer here are not read: the synchronous API sees a miss.
  if (!LookupHere(key, HereReach::kFiles, &hit, &next, found_in) || !hit) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return hit;
}

bool TierChain::GetHere(const Key& key, std::optional<Hit>* hit, size_t* next) {
  const bool answered = LookupHere(key, HereReach::kMapped, hit, next, nullptr);
  if (answered && !*hit) misses_.fetch_add(1, std::memory_order_relaxed);
  return answered;
}

bool TierChain::LookupHere(const Key& key, HereReach reach, std::optional<Hit>* hit, size_t* next,
                           size_t* found_in) {
  if ((*hit = LookupInline(key))) {
    if (found_in) *found_in = 0;  // an inline tier: which one does not matter to callers
    return true;
  }
  for (size_t i = inline_prefix_; i < tiers_.size(); ++i) {
    Tier& tier = *tiers_[i];
    // Looked for before the tier is read, as GetBelow does: an entry found leaving is newer than what the tier
    // holds, and one not found has landed in the tier by the time it is read. Served only where the tier answers
    // here, so that the synchronous API sees no more of a tier that cannot.
    std::optional<Hit> leaving = i == inline_prefix_ && write_back_ ? FindLeaving(key) : std::nullopt;
    const uint32_t forgets = forgets_.Read(ChangeCounters::StripeOf(key.digest()));
    const HereRead read = tier.store->ReadHere(key, reach, hit);
    if (read == HereRead::kLater) {
      *next = i;
      return false;
    }
    if (leaving) {
      ServeLeaving(key, *leaving);
      *hit = std::move(leaving);
      if (found_in) *found_in = i;
      return true;
    }
    if (read == HereRead::kHit) {
      ServeHit(i, key, **hit, forgets);
      if (found_in) *found_in = i;
      return true;
    }
    tier.misses.fetch_add(1, std::memory_order_relaxed);
  }
  *next = tiers_.size();
  return true;
}

void TierChain::Get(const Key& key, GetDone done) {
  if (std::optional<Hit> hit = LookupInline(key)) {
    done(Status::Ok(), std::move(hit));
    return;
  }
  GetBelow(inline_prefix_, key, std::move(done));
}

void TierChain::ServeHit(size_t tier, const Key& key, const Hit& hit, uint32_t forgets) {
  tiers_[tier]->hits.fetch_add(1, std::memory_order_relaxed);
  hits_.fetch_add(1, std::memory_order_relaxed);
  // A copy read before another process's change was announced (ForgetAbove) may be older than that change.
  if (forgets_.Read(ChangeCounters::StripeOf(key.digest())) == forgets) Promote(key, hit, tier);
}

void TierChain::ServeLeaving(const Key& key, const Hit& hit) {
  // Counted and promoted as the hit of the tier it is being written down into.
  tiers_[inline_prefix_]->hits.fetch_add(1, std::memory_order_relaxed);
  hits_.fetch_add(1, std::memory_order_relaxed);
  Promote(key, hit, inline_prefix_);
}

std::optional<Hit> TierChain::LeavingHit(const Key& key) {
  if (!write_back_) return std::nullopt;
  std::optional<Hit> hit = FindLeaving(key);
  if (hit) ServeLeaving(key, *hit);
  return hit;
}

void TierChain::GetBelow(size_t first, Key key, GetDone done) {
  if (first == inline_prefix_) {
    if (std::optional<Hit> hit = LeavingHit(key)) return done(Status::Ok(), std::move(hit));
  }
  if (first == tiers_.size()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    done(Status::Ok(), std::nullopt);
    return;
  }
  const uint32_t forgets = forgets_.Read(ChangeCounters::StripeOf(key.digest()));
  GetDone answered = [self = shared_from_this(), first, key, forgets, done = std::move(done)](
                         Status status, std::optional<Hit> hit) mutable {
    self->AnswerBelow(first, std::move(key), forgets, std::move(status), std::move(hit), std::move(done));
  };
  tiers_[first]->store->Get(key, EndableCall(first, std::move(answered)));
}

void TierChain::AnswerBelow(size_t first, Key key, uint32_t forgets, Status status, std::optional<Hit> hit,
                            GetDone done) {
  Tier& tier = *tiers_[first];
  // The cache closed: the read ends here, whatever the tiers below hold.
  if (status.code() == StatusCode::kClosed) return done(status.InTier(tier.name), std::nullopt);
  // A tier that cannot be read is passed over: the tiers below may still have the value.
  if (!status.ok()) ReportError(tier, key, status);
  if (status.ok() && hit) {
    ServeHit(first, key, *hit, forgets);
    done(Status::Ok(), std::move(hit));
    return;
  }
  tier.misses.fetch_add(1, std::memory_order_relaxed);
  GetBelow(first + 1, std::move(key), std::move(done));
}

std::optional<Hit> TierChain::BeginOutsideRead(const Key& key, OutsideRead* read) {
  std::optional<Hit> hit = LookupInline(key);
  if (!hit) hit = LeavingHit(key);
  if (!hit) read->forgets = forgets_.Read(ChangeCounters::StripeOf(key.digest()));
  return hit;
}

void TierChain::AnswerOutsideRead(const Key& key, OutsideRead read, Status status, std::optional<Hit> hit,
                                  GetDone done) {
  AnswerBelow(inline_prefix_, key, read.forgets, std::move(status), std::move(hit), std::move(done));
}

bool TierChain::HasNow(const Key& key) {
  for (size_t i = 0; i < inline_prefix_; ++i) {
    if (tiers_[i]->inline_store->Contains(key)) return true;
  }
  return false;
}

void TierChain::Has(const Key& key, FoundDone done) {
  if (HasNow(key)) {
    done(Status::Ok(), true);
    return;
  }
  HasBelow(inline_prefix_, key, std::move(done));
}

void TierChain::HasBelow(size_t first, Key key, FoundDone done) {
  if (write_back_ && first == inline_prefix_ && FindLeaving(key)) {
    done(Status::Ok(), true);
    return;
  }
  if (first == tiers_.size()) {
    done(Status::Ok(), false);
    return;
  }
  FoundDone answered = [self = shared_from_this(), first, key, done = std::move(done)](Status status,
                                                                                       bool found) mutable {
    const Tier& tier = *self->tiers_[first];
    if (status.code() == StatusCode::kClosed) return done(status.InTier(tier.name), false);
    if (!status.ok()) self->ReportError(tier, key, status);
    if (status.ok() && found) {
      done(Status::Ok(), true);
      return;
    }
    self->HasBelow(first + 1, std::move(key), std::move(done));
  };
  tiers_[first]->store->Has(key, EndableCall(first, std::move(answered)));
}

Status TierChain::SetNow(const Key& key, Bytes value, const WriteOptions& write) {
  if (write_back_) {
    Status status = SetBack(key, value, write);
    if (status.code() != StatusCode::kTooLarge) return status;  // else through, to the tiers it fits in
  }
  const int64_t now = clock_->NowMs();
  WriteOutcome outcome;
  for (size_t i = 0; i < tiers_.size(); ++i) {
    Tier& tier = *tiers_[i];
    if (tier.read_only) continue;
    const int64_t expires = ExpiryFor(i, write, now);
    if (tier.inline_store) {
      outcome.Add(tier.inline_store->Insert(key, value, expires));
      continue;
    }
    outcome.Add(Status::Ok());  // written in the background; a failure reaches the error listener
    const uint64_t id = BeginBackground(i);
    tier.store->Put(key, value, expires, [self = shared_from_this(), i, key, id](Status status) {
      if (!status.ok()) self->ReportError(*self->tiers_[i], key, status);
      self->EndBackground(id);
    });
  }
  return outcome.Result();
}

bool TierChain::WriteInFlight::Same(const Key& other_key, const Bytes& other_value,
                                    const WriteOptions& other_write) const {
  return key == other_key.text() && write.ttl == other_write.ttl && write.tags == other_write.tags &&
         write.stale_ms == other_write.stale_ms &&
         value.size() == other_value.size() &&
         (value.data() == other_value.data() || std::memcmp(value.data(), other_value.data(), value.size()) == 0);
}

bool TierChain::StartOrJoin(const Key& key, const std::shared_ptr<WriteInFlight>& write, Done& done) {
  std::lock_guard lock(writes_mu_);
  auto [latest, fresh] = writes_.try_emplace(key.digest(), write);
  if (!fresh && latest->second->Same(key, write->value, write->write)) {
    latest->second->joined.push_back(std::move(done));
    return false;
  }
  latest->second = write;  // a different write: the next identical Set joins this one, the latest
  return true;
}

std::vector<Done> TierChain::Finish(const Key& key, const std::shared_ptr<WriteInFlight>& write) {
  std::lock_guard lock(writes_mu_);
  auto latest = writes_.find(key.digest());
  if (latest != writes_.end() && latest->second == write) writes_.erase(latest);
  return std::move(write->joined);
}

void TierChain::Set(const Key& key, Bytes value, const WriteOptions& write, Done done) {
  if (write_back_) {
    Status status = SetBack(key, value, write);
    if (status.code() != StatusCode::kTooLarge) return done(status);  // else through, to the tiers it fits in
  }
  const int64_t now = clock_->NowMs();
  if (inline_prefix_ == tiers_.size()) {
    done(SetNow(key, std::move(value), write));
    return;
  }
  auto in_flight = std::make_shared<WriteInFlight>(WriteInFlight{std::string(key.text()), value, write, {}});
  if (!StartOrJoin(key, in_flight, done)) return;
  auto finished = [self = shared_from_this(), key, in_flight, done = std::move(done)](Status status) {
    std::vector<Done> joined = self->Finish(key, in_flight);
    done(status);
    for (Done& other : joined) other(status);
  };
  auto join = std::make_shared<WriteJoin>(writable_count_, std::move(finished));
  for (size_t i = 0; i < tiers_.size(); ++i) {
    Tier& tier = *tiers_[i];
    if (tier.read_only) continue;
    Done answered = [self = shared_from_this(), i, key, join](Status status) {
      const Tier& tier = *self->tiers_[i];
      // Passed over rather than failed (see WriteOutcome): the listeners still hear of it. A full storage quota
      // fails the set and is an event too: the app, not the caller of this set, is who can free storage.
      if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kQuota) {
        self->ReportError(tier, key, status);
      }
      join->Add(status.InTier(tier.name));
    };
    tier.store->Put(key, value, ExpiryFor(i, write, now), EndableCall(i, std::move(answered)));
  }
}

void TierChain::Land(const Key& key, uint64_t flight, Bytes value, const WriteOptions& write, Done done) {
  Set(key, value, write, [self = shared_from_this(), key, flight, value, done = std::move(done)](Status status) {
    self->flights_.Complete(key, flight, status, value);
    done(status);
  });
}

bool TierChain::DeleteNow(const Key& key) {
  ForgetWriteBack(&key);
  bool found = false;
  for (size_t i = 0; i < tiers_.size(); ++i) {
    Tier& tier = *tiers_[i];
    if (tier.read_only) continue;
    if (tier.inline_store) {
      found = tier.inline_store->Erase(key) || found;
      continue;
    }
    const uint64_t id = BeginBackground(i);
    tier.store->Delete(key, [self = shared_from_this(), i, key, id](Status status, bool) {
      if (!status.ok()) self->ReportError(*self->tiers_[i], key, status);
      self->EndBackground(id);
    });
  }
  return found;
}

void TierChain::Delete(const Key& key, FoundDone done) {
  ForgetWriteBack(&key);
  auto join = std::make_shared<ResultJoin<bool>>(writable_count_, std::move(done));
  for (size_t i = 0; i < tiers_.size(); ++i) {
    if (tiers_[i]->read_only) continue;
    FoundDone answered = [join, name = tiers_[i]->name](Status status, bool found) {
      join->Add(status.InTier(name), found);
    };
    tiers_[i]->store->Delete(key, EndableCall(i, std::move(answered)));
  }
}

void TierChain::Clear(Done done) {
  ForgetWriteBack(nullptr);
  auto join = std::make_shared<WriteJoin>(writable_count_, std::move(done), /*may_skip_unavailable=*/false);
  for (size_t i = 0; i < tiers_.size(); ++i) {
    if (tiers_[i]->read_only) continue;
    Done answered = [join, name = tiers_[i]->name](Status status) { join->Add(status.InTier(name)); };
    tiers_[i]->store->Clear(EndableCall(i, std::move(answered)));
  }
}

void TierChain::Open(Done done) {
  auto join = std::make_shared<WriteJoin>(tiers_.size(), std::move(done), /*may_skip_unavailable=*/false);
  for (auto& tier : tiers_) {
    tier->store->Open([join, name = tier->name](Status status) { join->Add(status.InTier(name)); });
  }
}

void TierChain::Clean(const CleanOptions& options, CountDone done) {
  auto join = std::make_shared<ResultJoin<uint64_t>>(tiers_.size(), std::move(done));
  for (auto& tier : tiers_) {
    tier->store->Clean(options, [join, name = tier->name](Status status, uint64_t removed) {
      join->Add(status.InTier(name), removed);
    });
  }
}

void TierChain::Verify(std::shared_ptr<VerifyProgress> progress, VerifyDone done) {
  auto join = std::make_shared<ResultJoin<VerifyReport>>(tiers_.size(), std::move(done));
  for (auto& tier : tiers_) {
    tier->store->Verify(progress, [join, name = tier->name](Status status, VerifyReport report) {
      join->Add(status.InTier(name), report);
    });
  }
}

void TierChain::Sweep() {
  for (auto& tier : tiers_) tier->store->Sweep();
}

DirectoryStore* TierChain::directories() const {
  for (const auto& tier : tiers_) {
    if (DirectoryStore* directories = tier->store->AsDirectoryStore()) return directories;
  }
  return nullptr;
}

Status TierChain::LimitNamespace(const std::string& ns,
                                 const std::map<std::string, std::optional<uint64_t>>& limits) {
  for (const auto& limit : limits) {
    // (clang 14 cannot capture a structured binding)
    const std::string& name = limit.first;
    if (std::none_of(tiers_.begin(), tiers_.end(), [&](const auto& tier) { return tier->name == name; })) {
      return Status(StatusCode::kInvalidArg, "the cache has no tier named '" + name + "'");
    }
  }
  for (const auto& tier : tiers_) {
    auto limit = limits.find(tier->name);
    if (limit == limits.end()) continue;
    if (Status status = tier->store->LimitNamespace(ns, limit->second); !status.ok()) {
      return Status(status.code(), "tier '" + tier->name + "': " + status.message());
    }
  }
  return Status::Ok();
}

void TierChain::ListEntries(std::string_view tier, const ListRequest& request, ListDone done) {
  for (const auto& candidate : tiers_) {
    if (candidate->name != tier) continue;
    return candidate->store->ListEntries(
        request, [done = std::move(done), name = candidate->name](Status status, std::vector<ListedEntry> page) {
          done(status.InTier(name), std::move(page));
        });
  }
  done(Status(StatusCode::kInvalidArg, "the cache has no tier named '" + std::string(tier) + "'"), {});
}

ChainStats TierChain::Stats() const {
  ChainStats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  for (const auto& tier : tiers_) {
    stats.tiers.push_back(TierStats{tier->name, tier->hits.load(std::memory_order_relaxed),
                                    tier->misses.load(std::memory_order_relaxed),
                                    tier->promotions.load(std::memory_order_relaxed),
                                    tier->demotions.load(std::memory_order_relaxed), tier->store->Counters()});
  }
  return stats;
}

}  // namespace stratacache
