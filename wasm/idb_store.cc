#include "idb_store.h"

#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "js_bytes.h"

namespace stratacache::wasm {

using emscripten::val;

namespace {

// IndexedDB reports failures as DOMExceptions; the name says which kind.
Status FromDriverError(const val& error) {
  const std::string name = error["name"].isString() ? error["name"].as<std::string>() : "Error";
  const std::string message = "IndexedDB: " + name + ": " +
                              (error["message"].isString() ? error["message"].as<std::string>() : "");
  if (name == "QuotaExceededError") return Status(StatusCode::kQuota, message, false);
  if (name == "TimeoutError") return Status(StatusCode::kTimeout, message);
  return Status(StatusCode::kIo, message);
}

// Expiry instants cross to JavaScript as numbers, with Infinity for never (kNeverExpires is not a safe double, and
// an indexed field must be a valid IndexedDB key, which null is not).
val ExpiryToJs(int64_t expires_at_ms) {
  return val(expires_at_ms == kNeverExpires ? std::numeric_limits<double>::infinity()
                                            : static_cast<double>(expires_at_ms));
}

int64_t ExpiryFromJs(const val& expires) {
  const double at = expires.as<double>();
  return std::isfinite(at) ? static_cast<int64_t>(at) : kNeverExpires;
}

}  // namespace

IdbStore::IdbStore(uint64_t limit_bytes, std::shared_ptr<const Clock> clock, val driver, bool settle_when_placed)
    : limit_bytes_(limit_bytes),
      clock_(std::move(clock)),
      settle_when_placed_(settle_when_placed),
      channel_(std::move(driver)) {}

template <class... Args>
void IdbStore::Send(const char* method, Answer answer, Args&&... args) {
  channel_.Send(
      method,
      [answer = std::move(answer)](val error, val result) {
        answer(error.isNull() || error.isUndefined() ? Status::Ok() : FromDriverError(error), std::move(result));
      },
      std::forward<Args>(args)...);
}

void IdbStore::Open(Done done) {
  Send("load", [this, done = std::move(done)](Status status, val records) {
    if (status.ok()) LoadIndex(records);
    done(status);
  });
}

void IdbStore::LoadIndex(val records) {
  ForgetIndex();
  // Records come oldest write first (reads are not recorded in the database, so a reloaded index orders by
  // write time), and each one adopted becomes the most recent.
  const unsigned count = records["length"].as<unsigned>();
  for (unsigned i = 0; i < count; ++i) {
    const val record = records[i];
    Adopt(record["id"].as<std::string>(), record["key"].as<std::string>(), record["ns"].as<std::string>(),
          static_cast<uint64_t>(record["charge"].as<double>()), ExpiryFromJs(record["expires"]));
  }
}

void IdbStore::ForgetIndex() {
  index_.clear();
  lru_.clear();
  bytes_ = 0;
  for (auto& named : spaces_) {
    named.second.bytes = 0;
    named.second.lru.clear();
  }
}

const std::string& IdbStore::NamespaceOf(const Entry& entry) {
  static const auto* const kDefault = new std::string();
  return entry.space != nullptr ? entry.space->name : *kDefault;
}

IdbStore::Space* IdbStore::SpaceNamed(const std::string& ns) {
  if (ns.empty()) return nullptr;
  Space& space = spaces_[ns];
  space.name = ns;
  return &space;
}

void IdbStore::Adopt(const std::string& id, const std::string& key, const std::string& ns, uint64_t charge,
                     int64_t expires_at_ms) {
  Erase(id);
  lru_.push_front(id);
  Entry& entry = index_[id];
  entry.key = key;
  entry.charge = charge;
  entry.expires_at_ms = expires_at_ms;
  entry.recency = lru_.begin();
  bytes_ += charge;
  if ((entry.space = SpaceNamed(ns)) != nullptr) {
    entry.space->lru.push_front(id);
    entry.space_recency = entry.space->lru.begin();
    entry.space->bytes += charge;
  }
}

void IdbStore::Touch(Entry& entry) {
  lru_.splice(lru_.begin(), lru_, entry.recency);
  if (entry.space != nullptr) entry.space->lru.splice(entry.space->lru.begin(), entry.space->lru, entry.space_recency);
}

std::optional<uint64_t> IdbStore::Erase(const std::string& id) {
  auto found = index_.find(id);
  if (found == index_.end()) return std::nullopt;
  const Entry& entry = found->second;
  const uint64_t charge = entry.charge;
  bytes_ -= entry.charge;
  lru_.erase(entry.recency);
  if (entry.space != nullptr) {
    entry.space->bytes -= entry.charge;
    entry.space->lru.erase(entry.space_recency);
  }
  index_.erase(found);
  return charge;
}

void IdbStore::ReportRemovalsTo(const EventHub* hub, std::string tier) {
  events_ = hub;
  tier_name_ = std::move(tier);
}

void IdbStore::Report(EventKind kind, const std::string& key, const std::string& ns, std::string_view reason,
                      const Status& status) const {
  if (events_ != nullptr && events_->wants(kind)) {
    events_->Emit(CacheEvent{kind, tier_name_, key, std::string(reason), status.InTier(tier_name_), ns});
  }
}

Status IdbStore::LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) {
  if (ns.empty()) return Status(StatusCode::kInvalidArg, "the default namespace is bounded by the tier's cacheLimit");
  Space* space = SpaceNamed(ns);
  space->limit = limit_bytes.value_or(UINT64_MAX);
  WriteDeletes(EvictFor(0, space));
  return Status::Ok();
}

void IdbStore::Get(const Key& key, GetDone done) {
  const std::string id = key.digest().ToHex();
  const int64_t now = clock_->NowMs();
  if (auto found = index_.find(id); found != index_.end() && found->second.expires_at_ms <= now) {
    WriteDeletes({{id, Erase(id)}});
    ++expirations_;
    Report(EventKind::kExpire, key.text(), key.ns(), "read");
    done(Status::Ok(), std::nullopt);
    return;
  }
  // Read even when the index has no entry: another tab may have written it.
  Send("read", [this, id, key, done = std::move(done)](Status status, val record) {
    if (!status.ok()) return done(status, std::nullopt);
    if (record.isUndefined() || record.isNull() || record["key"].as<std::string>() != key.text()) {
      Erase(id);  // gone (another tab removed it), or a digest collision: a miss either way
      return done(Status::Ok(), std::nullopt);
    }
    const int64_t expires = ExpiryFromJs(record["expires"]);
    if (expires <= clock_->NowMs()) {
      if (Erase(id)) {
        ++expirations_;
        Report(EventKind::kExpire, key.text(), key.ns(), "read");
      }
      WriteDeletes({{id, static_cast<uint64_t>(record["charge"].as<double>())}});
      return done(Status::Ok(), std::nullopt);
    }
    const val array = record["value"];
    if (auto found = index_.find(id); found != index_.end()) {
      Touch(found->second);
    } else {
      // Another tab wrote it: it counts in its namespace from now on.
      Adopt(id, key.text(), key.ns(), Charge(key.text().size(), array["length"].as<size_t>()), expires);
      if (Space* space = index_.at(id).space) WriteDeletes(EvictFor(0, space));
    }
    done(Status::Ok(), Hit{BytesFromJs(array), expires});
  }, id);
}

void IdbStore::Has(const Key& key, FoundDone done) {
  const std::string id = key.digest().ToHex();
  if (auto found = index_.find(id); found != index_.end()) {
    return done(Status::Ok(), found->second.expires_at_ms > clock_->NowMs());
  }
  // Not in this tab's index: the record, value and all, says whether another tab wrote it.
  Send("read", [this, key, done = std::move(done)](Status status, val record) {
    const bool live = status.ok() && !record.isUndefined() && !record.isNull() &&
                      record["key"].as<std::string>() == key.text() &&
                      ExpiryFromJs(record["expires"]) > clock_->NowMs();
    done(status, live);
  }, id);
}

std::vector<IdbStore::Removal> IdbStore::EvictFor(uint64_t bytes, Space* space) {
  std::list<std::string>& order = space != nullptr ? space->lru : lru_;
  const auto over = [&]() -> bool {
    return space != nullptr ? space->bytes + bytes > space->limit : bytes_ + bytes > limit_bytes_;
  };
  std::vector<Removal> evicted;
  while (!order.empty() && over()) {
    std::string id = order.back();
    const Entry& entry = index_.at(id);
    Report(EventKind::kEvict, entry.key, NamespaceOf(entry),
           space != nullptr ? "namespace" : "lru");
    std::optional<uint64_t> charge = Erase(id);
    ++evictions_;
    evicted.push_back({std::move(id), charge});
  }
  return evicted;
}

std::vector<IdbStore::Removal> IdbStore::EvictOverLimits() {
  std::vector<Removal> evicted;
  for (auto& named : spaces_) {
    for (Removal& removal : EvictFor(0, &named.second)) evicted.push_back(std::move(removal));
  }
  for (Removal& removal : EvictFor(0)) evicted.push_back(std::move(removal));
  return evicted;
}

void IdbStore::Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) {
  const uint64_t charge = Charge(key.text().size(), value.size());
  if (charge > limit_bytes_) {
    return done(Status(StatusCode::kTooLarge, "the value does not fit in the IndexedDB tier's cacheLimit"));
  }
  Space* space = SpaceNamed(key.ns());
  if (space != nullptr && charge > space->limit) {
    return done(Status(StatusCode::kTooLarge, "the value does not fit in namespace '" + key.ns() +
                                                  "''s cacheLimit in the IndexedDB tier"));
  }
  const std::string id = key.digest().ToHex();
  const uint64_t replaces = Erase(id).value_or(0);
  std::vector<Removal> deletes = space != nullptr ? EvictFor(charge, space) : std::vector<Removal>();
  for (Removal& evicted : EvictFor(charge)) deletes.push_back(std::move(evicted));
  Adopt(id, key.text(), key.ns(), charge, expires_at_ms);
  Write(key, std::move(value), expires_at_ms, replaces, std::move(deletes), /*retried=*/false, std::move(done));
}

void IdbStore::Write(const Key& key, Bytes value, int64_t expires_at_ms, uint64_t replaces,
                     std::vector<Removal> deletes, bool retried, Done done) {
  const std::string id = key.digest().ToHex();
  const uint64_t charge = Charge(key.text().size(), value.size());
  val put = val::object();
  put.set("id", id);
  put.set("key", key.text());
  put.set("ns", key.ns());
  put.set("value", BytesToJs(value));
  put.set("expires", ExpiryToJs(expires_at_ms));
  put.set("charge", static_cast<double>(charge));
  put.set("replaces", static_cast<double>(replaces));
  auto settle = std::make_shared<Done>(std::move(done));
  val placed = val::undefined();
  const uint64_t early = settle_when_placed_ && *settle && placed_bytes_ + charge <= kPlacedBytes ? charge : 0;
  if (early > 0) {
    placed_bytes_ += early;
    // A failure before the write was placed reaches the set through the write's own answer.
    placed = val(channel_.Expect([settle](val error, val) {
      if (error.isNull() || error.isUndefined()) std::exchange(*settle, nullptr)(Status::Ok());
    }));
  }
  Send("write",
       [this, key, value, expires_at_ms, replaces, retried, charge, deletes, settle, early](Status status,
                                                                                            val result) mutable {
         placed_bytes_ -= early;
         if (status.code() == StatusCode::kQuota && !retried) {
           // The origin's storage is full though this tier is within its budget. The failed transaction wrote
           // nothing; free the older half of the entries (at least twice the value) in a transaction of their
           // own, since the browser checks a transaction's new bytes against the quota before its deletes count,
           // then try the put once more.
           const std::string id = key.digest().ToHex();
           Erase(id);
           const uint64_t keep = std::min(bytes_ / 2, bytes_ > 2 * charge ? bytes_ - 2 * charge : 0);
           for (Removal& evicted : EvictFor(limit_bytes_ - keep)) deletes.push_back(std::move(evicted));
           return SendDeletes(deletes, [this, key, value = std::move(value), expires_at_ms, charge, replaces,
                                        done = std::exchange(*settle, nullptr)](Status, val) mutable {
             Adopt(key.digest().ToHex(), key.text(), key.ns(), charge, expires_at_ms);
             Write(key, std::move(value), expires_at_ms, replaces, {}, /*retried=*/true, std::move(done));
           });
         }
         if (!status.ok()) {
           Erase(key.digest().ToHex());
           return Settle(*settle, key, status);
         }
         Reconcile(result["total"].as<double>());
         Settle(*settle, key, Status::Ok());
       },
       put, RemovalsToJs(deletes), placed);
}

void IdbStore::Settle(Done& done, const Key& key, const Status& status) const {
  if (done) return std::exchange(done, nullptr)(status);
  if (!status.ok()) Report(EventKind::kError, key.text(), key.ns(), "", status);
}

val IdbStore::RemovalsToJs(const std::vector<Removal>& removals) {
  val list = val::array();
  for (const Removal& removal : removals) {
    val js = val::object();
    js.set("id", removal.id);
    js.set("charge", removal.charge ? val(static_cast<double>(*removal.charge)) : val::null());
    list.call<void>("push", js);
  }
  return list;
}

void IdbStore::SendDeletes(const std::vector<Removal>& removals, Answer answer) {
  Send("write", std::move(answer), val::null(), RemovalsToJs(removals));
}

void IdbStore::WriteDeletes(std::vector<Removal> removals) {
  if (removals.empty()) return;
  SendDeletes(removals, [this](Status status, val result) {
    if (status.ok()) Reconcile(result["total"].as<double>());
  });
}

void IdbStore::Reconcile(double database_total) {
  if (database_total <= static_cast<double>(limit_bytes_) || reloading_) return;
  // Other tabs wrote entries this index does not know of: learn them, then evict down to the limits.
  reloading_ = true;
  Send("load", [this](Status status, val records) {
    reloading_ = false;
    if (!status.ok()) return;
    LoadIndex(records);
    WriteDeletes(EvictOverLimits());
  });
}

void IdbStore::Delete(const Key& key, FoundDone done) {
  const std::string id = key.digest().ToHex();
  const std::optional<uint64_t> charge = Erase(id);
  const bool known = charge.has_value();
  SendDeletes({{id, charge}}, [this, known, done = std::move(done)](Status status, val result) {
    if (!status.ok()) return done(status, known);
    Reconcile(result["total"].as<double>());
    done(Status::Ok(), known || result["removed"].as<unsigned>() > 0);
  });
}

void IdbStore::Clear(Done done) {
  ForgetIndex();
  Send("clear", [done = std::move(done)](Status status, val) { done(status); });
}

void IdbStore::Sweep() {
  const int64_t now = clock_->NowMs();
  std::vector<Removal> expired;
  for (const auto& [id, entry] : index_) {
    if (entry.expires_at_ms > now) continue;
    expired.push_back({id, entry.charge});
    Report(EventKind::kExpire, entry.key, NamespaceOf(entry), "sweep");
  }
  for (const Removal& removal : expired) Erase(removal.id);
  expirations_ += expired.size();
  WriteDeletes(std::move(expired));
}

void IdbStore::ListEntries(const ListRequest& request, ListDone done) {
  ListingPage page(request, request.after, std::max<size_t>(request.limit, 1));
  const int64_t now = clock_->NowMs();
  for (const auto& [id, entry] : index_) {
    const std::optional<Digest> digest = DigestFromHex(id);
    if (!digest || entry.expires_at_ms <= now || !page.Wants(*digest, NamespaceOf(entry), entry.key)) continue;
    const uint64_t size = entry.charge - Charge(entry.key.size(), 0);
    page.Offer(ListedEntry{*digest, NamespaceOf(entry), entry.key, size, entry.expires_at_ms, {}, {}});
  }
  done(Status::Ok(), page.Take());
}

StoreCounters IdbStore::Counters() const {
  return StoreCounters{index_.size(), bytes_, evictions_, expirations_};
}

}  // namespace stratacache::wasm
