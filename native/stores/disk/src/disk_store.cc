#include "stratacache/disk/disk_store.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "blob_files.h"
#include "directory_folders.h"
#include "index_reader.h"
#include "index_writer.h"

namespace stratacache::disk {

namespace {

// Recorded uses are written at least this often, so that eviction and other processes see them.
constexpr auto kAccessFlushDelay = std::chrono::seconds(1);
// verify() reads content this many rows per reader task, so gets queued meanwhile wait for one chunk at most.
constexpr int kVerifyChunk = 64;

// A large value's content name and file, worked out on reader threads while its put waits in the writer's queue:
// one hashes the value while another writes it to a temp file; the second to finish renames the file into place.
struct PreparedContent {
  Blake3Digest hash{};
  std::string temp;
  Status refused;  // the file could not be written
  std::atomic<int> steps{2};
  std::promise<void> ready;
  std::shared_future<void> done = ready.get_future().share();
};

// One change for the writer thread. `complete` reports its outcome; it is empty for background work.
struct WriteOp {
  enum class Kind {
    kPut, kDelete, kClear, kSweep, kClean, kRepairIndex, kRemoveOrphans, kForget, kFlush,
    kAcquireDirectory, kCommitDirectory, kAbandonDirectory, kReleaseDirectory,
  };
  explicit WriteOp(Kind k) : kind(k) {}

  Kind kind;
  std::optional<Key> key;
  Bytes value;
  Blake3Digest hash{};
  int64_t expires_at_ms = 0;
  CleanOptions clean;
  Status status;
  Status refused;  // this op alone failed (its content file could not be written)
  bool found = false;
  uint64_t count = 0;
  VerifyReport verify;
  std::vector<OrphanCandidate> orphans;
  std::shared_ptr<PreparedContent> prepared;  // set for puts whose content a reader thread prepares
  // Directory entries: the temp folder of a commit or an abandon, or the folder a release ends a hold on; what
  // the caller is granted, and how it is told.
  std::string path;
  DirectoryGrant grant;
  GrantDone granted;
  bool waiting = false;    // an acquire that joined a fill in progress (its `granted` moved there)
  bool ends_fill = false;  // a commit of the fill in progress for its key
  bool placed = false;     // a commit that moved its folder into dirs/
  FolderSize folder_size;
  std::function<void(WriteOp&)> complete;
};

// One verify() in progress. Its steps run one after another (each starts the next), so no two touch it at once.
struct VerifyRun {
  VerifyRun(std::shared_ptr<VerifyProgress> p, VerifyDone d) : progress(std::move(p)), done(std::move(d)) {}
  std::shared_ptr<VerifyProgress> progress;
  VerifyDone done;
  VerifyReport report;                // filled by step 1, then read only
  std::atomic<uint64_t> dropped{0};   // entries the writer dropped for content step 2 found damaged
  std::string cursor;                 // the last content hash checked
  uint64_t counted = 0;               // content rows when the walk began (its share of progress->total)
  uint64_t checked = 0;               // content rows walked so far
};

// Joins a thread, or lets it finish alone when it is the one destroying the store (a completion may hold the
// last reference to the cache that owns the store).
void JoinOrDetach(std::thread& thread) {
  if (!thread.joinable()) return;
  if (thread.get_id() == std::this_thread::get_id()) {
    thread.detach();
  } else {
    thread.join();
  }
}

}  // namespace

struct DiskStore::Engine : std::enable_shared_from_this<Engine> {
  Engine(DiskStoreOptions opts, std::shared_ptr<const Clock> clk)
      : options(std::move(opts)), clock(std::move(clk)), blobs(options.path, options.strict), folders(options.path, options.strict),
        writer(std::make_unique<IndexWriter>(blobs, folders, holds, options.policy)) {}

  Status Start();
  void Stop();
  void RunWriter();
  void RunReader(IndexReader* reader);
  void RunBatch(std::deque<WriteOp>& batch);
  Status Apply(WriteOp& op, int64_t now_ms);
  void Enqueue(WriteOp op);
  void Read(std::function<void(IndexReader&)> task);
  void RecordAccess(const Key& key, int64_t now_ms);
  // The calling thread's own connection to the index, opened on its first use; null when it cannot be opened.
  IndexReader* HereReader();
  // The value of `entry`: from the index, checked against its checksum, or from its content file. Not set (and
  // the status says why, when it is not simply gone) when it is missing or damaged.
  Status ValueOf(IndexedEntry& entry, std::optional<Bytes>* value) const;
  void Forget(const Blake3Digest& hash, std::function<void(WriteOp&)> complete = nullptr);
  void VerifyContent(std::shared_ptr<VerifyRun> run);
  void VerifyFiles(std::shared_ptr<VerifyRun> run);
  void PublishTotals();
  // Emits "evict" and "expire" events for the keys a committed batch removed, and forgets them.
  void ReportRemovals(const EventHub* hub);

  // Directory entries, on the writer thread (see directory_store.h).
  Status ApplyAcquire(WriteOp& op, int64_t now_ms);
  void FinishAcquire(WriteOp& op);
  void MeasureFill(WriteOp& op);
  Status ApplyCommit(WriteOp& op, int64_t now_ms);
  void FinishCommit(WriteOp& op);
  // Ends the fill of `digest` whose temp folder is `temp_path` without an entry: removes the folder and hands
  // `status` to the callers waiting. False when no such fill is in progress.
  bool EndFill(const std::string& digest, const std::string& temp_path, const Status& status);
  void EndHold(const std::string& folder);

  const DiskStoreOptions options;
  const std::shared_ptr<const Clock> clock;
  BlobFiles blobs;
  DirectoryFolders folders;
  DirectoryHolds holds;  // writer thread only
  // Fills in progress by key digest: the temp folder, and the callers waiting for it. Writer thread only.
  struct Fill {
    std::string temp_path;
    std::vector<GrantDone> waiters;
  };
  std::unordered_map<std::string, Fill> fills;

  std::unique_ptr<IndexWriter> writer;
  std::thread writer_thread;
  std::mutex write_mu;
  std::condition_variable write_cv;
  std::deque<WriteOp> writes;
  PendingAccesses accesses;  // guarded by write_mu
  uint64_t next_access_order = 0;  // likewise
  std::map<std::string, uint64_t> namespace_limits;  // guarded by write_mu
  bool stopping = false;     // guarded by write_mu and read_mu

  std::vector<std::unique_ptr<IndexReader>> readers;
  std::vector<std::thread> reader_threads;
  std::mutex read_mu;
  std::condition_variable read_cv;
  std::deque<std::function<void(IndexReader&)>> reads;

  // ReadHere's connections, one per thread that called it. A thread that ends leaves its connection open until
  // the store closes: there are as many as the process has JavaScript threads using the store.
  std::mutex here_mu;
  std::unordered_map<std::thread::id, std::unique_ptr<IndexReader>> here_readers;

  std::atomic<uint64_t> entries{0}, bytes{0}, evictions{0}, expirations{0};

  // Where removals are reported (see Store::ReportRemovalsTo); null once the store is being destroyed. The
  // key lists are the writer thread's, filled only while the hub wants their kind of event.
  std::atomic<const EventHub*> events{nullptr};
  std::string tier_name;
  std::vector<std::string> evicted_keys;
  std::vector<std::string> swept_keys;
  std::vector<std::pair<std::string, std::string>> namespace_evicted_keys;  // (namespace, key)
};

Status DiskStore::Engine::Start() {
  Status status = blobs.Prepare();
  if (status.ok()) status = folders.Prepare();
  if (!status.ok()) return status;
  blobs.SweepStaleTemp();
  status = writer->Open(options.path, options.strict, options.limit_bytes);
  if (status.code() == StatusCode::kCorrupt) {
    // The index cannot be trusted, so neither can the files it named: start over, keeping the damaged file.
    const std::string index = IndexPath(options.path);
    std::error_code error;
    std::filesystem::rename(index, index + ".corrupt-" + std::to_string(clock->NowMs()), error);
    std::filesystem::remove(index + "-wal", error);
    std::filesystem::remove(index + "-shm", error);
    blobs.RemoveAll();
    folders.ForEach([this](const std::string& folder) { folders.Remove(folder); });
    writer = std::make_unique<IndexWriter>(blobs, folders, holds, options.policy);
    status = writer->Open(options.path, options.strict, options.limit_bytes);
  }
  if (!status.ok()) return status;
  PublishTotals();
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    auto reader = std::make_unique<IndexReader>();
    if (!(status = reader->Open(options.path, options.strict)).ok()) return status;
    readers.push_back(std::move(reader));
  }
  auto self = shared_from_this();
  writer_thread = std::thread([self] { self->RunWriter(); });
  for (auto& reader : readers) {
    reader_threads.emplace_back([self, reader = reader.get()] { self->RunReader(reader); });
  }
  return Status::Ok();
}

void DiskStore::Engine::Stop() {
  {
    std::scoped_lock lock(write_mu, read_mu);
    stopping = true;
  }
  write_cv.notify_all();
  read_cv.notify_all();
  JoinOrDetach(writer_thread);
  for (auto& thread : reader_threads) JoinOrDetach(thread);
}

void DiskStore::Engine::PublishTotals() {
  entries.store(writer->totals().entries, std::memory_order_relaxed);
  bytes.store(writer->totals().bytes, std::memory_order_relaxed);
}

void DiskStore::Engine::Enqueue(WriteOp op) {
  {
    std::lock_guard lock(write_mu);
    writes.push_back(std::move(op));
  }
  write_cv.notify_one();
}

void DiskStore::Engine::Read(std::function<void(IndexReader&)> task) {
  {
    std::lock_guard lock(read_mu);
    reads.push_back(std::move(task));
  }
  read_cv.notify_one();
}

void DiskStore::Engine::RecordAccess(const Key& key, int64_t now_ms) {
  std::lock_guard lock(write_mu);
  PendingAccess& access = accesses[DigestBlob(key)];
  access.last_access_ms = std::max(access.last_access_ms, now_ms);
  ++access.hits;
  access.order = next_access_order++;
}

IndexReader* DiskStore::Engine::HereReader() {
  std::lock_guard lock(here_mu);
  std::unique_ptr<IndexReader>& reader = here_readers[std::this_thread::get_id()];
  if (!reader) {
    reader = std::make_unique<IndexReader>();
    // Tried again on the next read should it fail: Get, on the reader threads, reports what is wrong.
    if (!reader->Open(options.path, options.strict).ok()) {
      reader.reset();
    } else {
      reader->NeverWaitForLocks();  // a busy index is read by the reader threads, which wait for it
    }
  }
  return reader.get();
}

Status DiskStore::Engine::ValueOf(IndexedEntry& entry, std::optional<Bytes>* value) const {
  if (!entry.inline_value) return blobs.Read(entry.hash, value);
  if (!InlineIntact(entry.hash, entry.inline_value->content(), /*thorough=*/false)) {
    return Status(StatusCode::kCorrupt, "a value in the disk index does not match its checksum", false);
  }
  *value = std::move(entry.inline_value->data);
  return Status::Ok();
}

void DiskStore::Engine::Forget(const Blake3Digest& hash, std::function<void(WriteOp&)> complete) {
  WriteOp op(WriteOp::Kind::kForget);
  op.hash = hash;
  op.complete = std::move(complete);
  Enqueue(std::move(op));
}

// verify(), step 2: content is read and hashed on a reader thread, a chunk per task, holding no lock; what looks
// damaged is dropped by the writer, which reads it again under the write lock first (another writer may have
// replaced it since).
void DiskStore::Engine::VerifyContent(std::shared_ptr<VerifyRun> run) {
  Read([this, run = std::move(run)](IndexReader& reader) {
    Status status = Status::Ok();
    if (run->cursor.empty()) {
      status = reader.CountContent(&run->counted);
      if (!status.ok()) return run->done(status, VerifyReport{});
      run->progress->total += run->counted;
    }
    std::vector<ContentRow> rows;
    status = reader.ContentAfter(run->cursor, kVerifyChunk, &rows);
    if (!status.ok()) return run->done(status, VerifyReport{});
    for (const ContentRow& row : rows) {
      std::optional<InlineContent> data;
      if (row.inline_value) data = row.inline_value->content();
      const bool intact = blobs.Intact(row.hash, data);
      ++run->checked;
      ++run->progress->checked;
      if (intact) continue;
      Forget(row.hash, [run](WriteOp& op) { run->dropped += op.count; });
    }
    if (rows.size() < static_cast<size_t>(kVerifyChunk)) {
      // Writes made during the walk change what it meets: the total becomes what was walked.
      run->progress->total += run->checked;
      run->progress->total -= run->counted;
      return VerifyFiles(run);
    }
    run->cursor = std::string(HashBlob(rows.back().hash));
    VerifyContent(run);
  });
}

// verify(), step 3: files no content row names are looked for on a reader thread; the writer removes those that
// are still unused under the write lock, then recounts the totals.
void DiskStore::Engine::VerifyFiles(std::shared_ptr<VerifyRun> run) {
  Read([this, run = std::move(run)](IndexReader& reader) {
    WriteOp op(WriteOp::Kind::kRemoveOrphans);
    Status status = Status::Ok();
    blobs.ForEach([&](const std::optional<Blake3Digest>& hash, const std::string& path) {
      bool used = false;
      if (status.ok() && hash) status = reader.UsesFile(*hash, &used);
      if (!used) op.orphans.push_back(OrphanCandidate{hash, path});
    });
    if (!status.ok()) return run->done(status, VerifyReport{});
    op.verify = run->report;
    op.complete = [run](WriteOp& op) {
      op.verify.removed_entries += run->dropped;  // the drops were queued before this op, so they are done
      run->done(op.status, op.verify);
    };
    Enqueue(std::move(op));
  });
}

void DiskStore::Engine::RunReader(IndexReader* reader) {
  std::unique_lock lock(read_mu);
  while (true) {
    read_cv.wait(lock, [this] { return stopping || !reads.empty(); });
    if (reads.empty()) return;
    auto task = std::move(reads.front());
    reads.pop_front();
    lock.unlock();
    task(*reader);
    task = nullptr;  // drops the completion (and what it holds) outside the lock
    lock.lock();
  }
}

void DiskStore::Engine::RunWriter() {
  std::unique_lock lock(write_mu);
  while (true) {
    if (writes.empty() && !stopping) {
      if (accesses.empty()) {
        write_cv.wait(lock, [this] { return stopping || !writes.empty() || !accesses.empty(); });
      } else {
        write_cv.wait_for(lock, kAccessFlushDelay, [this] { return stopping || !writes.empty(); });
      }
    }
    if (writes.empty() && accesses.empty() && stopping) {
      lock.unlock();
      // Fills the closed store can no longer commit: their waiters learn it, and their folders go.
      while (!fills.empty()) {
        const std::string digest = fills.begin()->first, temp_path = fills.begin()->second.temp_path;
        EndFill(digest, temp_path, Status(StatusCode::kClosed, "the cache was closed during the fill"));
      }
      return;
    }
    std::deque<WriteOp> batch;
    batch.swap(writes);
    lock.unlock();
    RunBatch(batch);
    batch.clear();
    lock.lock();
  }
}

void DiskStore::Engine::RunBatch(std::deque<WriteOp>& batch) {
  const int64_t now = clock->NowMs();
  // Hashing and writing content files happen before the transaction, so the write lock, which other processes
  // wait for, is held only for index work.
  for (WriteOp& op : batch) {
    if (op.kind == WriteOp::Kind::kCommitDirectory) MeasureFill(op);
    if (op.kind != WriteOp::Kind::kPut) continue;
    if (op.prepared) {
      op.prepared->done.wait();
      op.hash = op.prepared->hash;
      op.refused = op.prepared->refused;
      continue;
    }
    op.hash = Blake3::Hash(op.value.data(), op.value.size());
    if (op.value.size() > kInlineMax && !writer->HasContent(op.hash)) op.refused = blobs.Write(op.hash, op.value);
  }
  PendingAccesses uses;
  std::map<std::string, uint64_t> limits;
  {
    std::lock_guard lock(write_mu);
    uses.swap(accesses);
    if (!namespace_limits.empty()) limits = namespace_limits;
  }
  Status status = writer->Begin();
  for (auto it = batch.begin(); status.ok() && it != batch.end(); ++it) status = Apply(*it, now);
  if (status.ok()) status = writer->RecordAccesses(uses);
  uint64_t evicted = 0;
  const EventHub* hub = events.load(std::memory_order_acquire);
  std::vector<std::string>* evicted_list = hub && hub->wants(EventKind::kEvict) ? &evicted_keys : nullptr;
  // Namespaces first: what they must give up anyway counts towards the tier's budget, so that the tier evicts
  // no entry of another namespace to make room the namespace then frees.
  for (const auto& [ns, limit] : limits) {
    std::vector<std::string> keys;
    if (status.ok()) status = writer->EvictNamespaceTo(ns, limit, &evicted, evicted_list ? &keys : nullptr);
    for (std::string& key : keys) namespace_evicted_keys.emplace_back(ns, std::move(key));
  }
  if (status.ok() && options.limit_bytes > 0) status = writer->EvictTo(options.limit_bytes, &evicted, evicted_list);
  if (status.ok()) status = writer->Commit();
  if (status.ok()) {
    evictions.fetch_add(evicted, std::memory_order_relaxed);
    ReportRemovals(hub);
  } else {
    std::vector<Blake3Digest> placed;  // by the puts, whose entries are not there to use them
    for (const WriteOp& op : batch) {
      if (op.kind == WriteOp::Kind::kPut && op.value.size() > kInlineMax) placed.push_back(op.hash);
    }
    writer->Rollback(std::move(placed));
  }
  evicted_keys.clear();
  swept_keys.clear();
  namespace_evicted_keys.clear();
  PublishTotals();
  for (WriteOp& op : batch) {
    op.status = !status.ok() ? status : op.refused;
    if (op.complete) op.complete(op);
  }
}

Status DiskStore::Engine::Apply(WriteOp& op, int64_t now_ms) {
  switch (op.kind) {
    case WriteOp::Kind::kPut:
      if (!op.refused.ok()) return Status::Ok();
      return writer->Put(*op.key, op.hash, op.value, op.expires_at_ms, now_ms, &op.refused);
    case WriteOp::Kind::kDelete:
      return writer->Delete(*op.key, &op.found);
    case WriteOp::Kind::kClear:
      return writer->Clear();
    case WriteOp::Kind::kSweep: {
      const EventHub* hub = events.load(std::memory_order_acquire);
      const bool report = hub && hub->wants(EventKind::kExpire);
      Status status = writer->RemoveExpired(now_ms, &op.count, report ? &swept_keys : nullptr);
      expirations.fetch_add(op.count, std::memory_order_relaxed);
      return status;
    }
    case WriteOp::Kind::kClean: {
      Status status = Status::Ok();
      if (op.clean.max_age_ms) status = writer->RemoveCreatedBefore(now_ms - *op.clean.max_age_ms, &op.count);
      if (status.ok() && op.clean.max_bytes) status = writer->EvictTo(*op.clean.max_bytes, &op.count);
      return status;
    }
    case WriteOp::Kind::kRepairIndex: {
      op.verify.temp_files = blobs.SweepStaleTemp();
      Status status = writer->RepairIndex(&op.verify);
      return status.ok() ? writer->RepairDirectories(&op.verify) : status;
    }
    case WriteOp::Kind::kRemoveOrphans:
      return writer->RemoveOrphanFiles(op.orphans, &op.verify);
    case WriteOp::Kind::kForget:
      return writer->Forget(op.hash, &op.count);
    case WriteOp::Kind::kFlush:
      return Status::Ok();
    case WriteOp::Kind::kAcquireDirectory:
      return ApplyAcquire(op, now_ms);
    case WriteOp::Kind::kCommitDirectory:
      return ApplyCommit(op, now_ms);
    case WriteOp::Kind::kAbandonDirectory:
      return Status::Ok();  // its folder goes after the commit, with the fill (see AbandonDirectory)
    case WriteOp::Kind::kReleaseDirectory:
      EndHold(folders.NameOf(op.path));  // before this batch evicts, which may now take the folder
      return Status::Ok();
  }
  return Status::Ok();
}

void DiskStore::Engine::EndHold(const std::string& folder) {
  if (!folder.empty() && holds.Release(folder)) folders.Remove(folder);
}

// A hit is held at once, so that this batch's eviction passes over it; a miss with no fill in progress makes the
// caller the key's filler, with a new temp folder; a miss with one waits for it.
Status DiskStore::Engine::ApplyAcquire(WriteOp& op, int64_t now_ms) {
  std::optional<std::string> folder;
  Status status = writer->FindDirectory(*op.key, now_ms, &folder);
  if (!status.ok()) return status;
  if (folder) {
    holds.Hold(*folder);
    op.grant = DirectoryGrant{folders.PathOf(*folder), false};
    return Status::Ok();
  }
  const std::string digest = DigestBlob(*op.key);
  if (auto fill = fills.find(digest); fill != fills.end()) {
    fill->second.waiters.push_back(std::move(op.granted));
    op.waiting = true;
    return Status::Ok();
  }
  std::string temp_path;
  op.refused = folders.CreateTemp(&temp_path);
  if (!op.refused.ok()) return Status::Ok();
  fills[digest] = Fill{temp_path, {}};
  op.grant = DirectoryGrant{temp_path, true};
  return Status::Ok();
}

void DiskStore::Engine::FinishAcquire(WriteOp& op) {
  if (op.waiting) return;  // answered when the fill ends
  if (op.status.ok()) return op.granted(Status::Ok(), op.grant);
  // The batch failed: the hold or the fill it took goes.
  if (op.grant.fill) {
    EndFill(DigestBlob(*op.key), op.grant.path, op.status);
  } else {
    EndHold(folders.NameOf(op.grant.path));
  }
  op.granted(op.status, DirectoryGrant{});
}

// Before the transaction: only the fill in progress can be committed, and its folder is walked now, so the write
// lock is not held for it.
void DiskStore::Engine::MeasureFill(WriteOp& op) {
  auto fill = fills.find(DigestBlob(*op.key));
  if (fill == fills.end() || fill->second.temp_path != op.path) {
    op.refused = Status(StatusCode::kInvalidArg, "no directory of this key is being filled in " + op.path);
    return;
  }
  op.ends_fill = true;
  op.refused = folders.Measure(op.path, &op.folder_size);
}

Status DiskStore::Engine::ApplyCommit(WriteOp& op, int64_t now_ms) {
  if (!op.refused.ok()) return Status::Ok();
  // Held for the filler and every caller waiting, before this batch evicts.
  const size_t holders = 1 + fills[DigestBlob(*op.key)].waiters.size();
  // Another process sharing the folder may have filled the key meanwhile: its entry stays (a caller there may be
  // reading it) and this fill goes.
  std::optional<std::string> existing;
  Status status = writer->FindDirectory(*op.key, now_ms, &existing);
  if (!status.ok()) return status;
  if (existing) {
    folders.RemoveTemp(op.path);
    for (size_t i = 0; i < holders; ++i) holds.Hold(*existing);
    op.grant = DirectoryGrant{folders.PathOf(*existing), false};
    return Status::Ok();
  }
  if (options.limit_bytes > 0 && EntryCharge(*op.key) + op.folder_size.charge > options.limit_bytes) {
    op.refused = Status(StatusCode::kTooLarge, "the folder is larger than the disk tier's cacheLimit");
    return Status::Ok();
  }
  std::string folder;
  if (!(op.refused = folders.Place(op.path, &folder)).ok()) return Status::Ok();
  op.placed = true;
  op.grant = DirectoryGrant{folders.PathOf(folder), false};
  for (size_t i = 0; i < holders; ++i) holds.Hold(folder);
  return writer->AddDirectory(*op.key, folder, op.folder_size, now_ms);
}

void DiskStore::Engine::FinishCommit(WriteOp& op) {
  if (!op.ends_fill) return op.granted(op.status, DirectoryGrant{});
  const std::string digest = DigestBlob(*op.key);
  if (op.grant.path.empty()) {  // refused before its folder was placed
    EndFill(digest, op.path, op.status);
    return op.granted(op.status, DirectoryGrant{});
  }
  std::vector<GrantDone> waiters = std::move(fills[digest].waiters);
  fills.erase(digest);
  if (!op.status.ok()) {  // the batch was rolled back: its holds go, and so does the folder it placed
    const std::string folder = folders.NameOf(op.grant.path);
    for (size_t i = 0; i <= waiters.size(); ++i) holds.Release(folder);
    if (op.placed) folders.Remove(folder);
    op.grant = DirectoryGrant{};
  }
  for (GrantDone& waiter : waiters) waiter(op.status, op.grant);
  op.granted(op.status, op.grant);
}

bool DiskStore::Engine::EndFill(const std::string& digest, const std::string& temp_path, const Status& status) {
  auto fill = fills.find(digest);
  if (fill == fills.end() || fill->second.temp_path != temp_path) return false;
  std::vector<GrantDone> waiters = std::move(fill->second.waiters);
  fills.erase(fill);
  folders.RemoveTemp(temp_path);
  for (GrantDone& waiter : waiters) waiter(status, DirectoryGrant{});
  return true;
}

Status DiskStore::Open(const DiskStoreOptions& options, std::shared_ptr<const Clock> clock,
                       std::unique_ptr<DiskStore>* store) {
  auto engine = std::make_shared<Engine>(options, std::move(clock));
  Status status = engine->Start();
  if (!status.ok()) {
    engine->Stop();
    return status;
  }
  store->reset(new DiskStore(std::move(engine)));
  return Status::Ok();
}

void DiskStore::Engine::ReportRemovals(const EventHub* hub) {
  if (hub == nullptr) return;
  for (std::string& key : evicted_keys) {
    hub->Emit(CacheEvent{EventKind::kEvict, tier_name, std::move(key), std::string(EvictionPolicyName(options.policy)),
                         Status::Ok()});
  }
  for (std::string& key : swept_keys) {
    hub->Emit(CacheEvent{EventKind::kExpire, tier_name, std::move(key), "sweep", Status::Ok()});
  }
  for (auto& [ns, key] : namespace_evicted_keys) {
    hub->Emit(CacheEvent{EventKind::kEvict, tier_name, std::move(key), "namespace", Status::Ok(), ns});
  }
}

Status DiskStore::LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) {
  if (ns.empty()) return Status(StatusCode::kInvalidArg, "the default namespace is bounded by the tier's cacheLimit");
  {
    std::lock_guard lock(engine_->write_mu);
    if (limit_bytes) {
      engine_->namespace_limits[ns] = *limit_bytes;
    } else {
      engine_->namespace_limits.erase(ns);
    }
  }
  engine_->Enqueue(WriteOp(WriteOp::Kind::kFlush));  // a batch that brings the namespace within its limit now
  return Status::Ok();
}

DiskStore::~DiskStore() {
  engine_->events.store(nullptr, std::memory_order_release);
  engine_->Stop();
}

void DiskStore::ReportRemovalsTo(const EventHub* hub, std::string tier) {
  engine_->tier_name = std::move(tier);
  engine_->events.store(hub, std::memory_order_release);
}

void DiskStore::Get(const Key& key, GetDone done) {
  engine_->Read([engine = engine_.get(), key, done = std::move(done)](IndexReader& reader) {
    const int64_t now = engine->clock->NowMs();
    std::optional<IndexedEntry> entry;
    Status status = reader.Find(key, now, &entry);
    if (!status.ok() || !entry) return done(status, std::nullopt);
    std::optional<Bytes> value;
    status = engine->ValueOf(*entry, &value);
    if (!value) {
      // Gone (evicted by another writer since the lookup, or removed by hand) or corrupt: a miss either way, and
      // the writer drops the entry if its content is still bad.
      engine->Forget(entry->hash);
      return done(status.code() == StatusCode::kCorrupt ? status : Status::Ok(), std::nullopt);
    }
    engine->RecordAccess(key, now);
    done(Status::Ok(), Hit{std::move(*value), entry->expires_at_ms});
  });
}

HereRead DiskStore::ReadHere(const Key& key, HereReach reach, std::optional<Hit>* hit) {
  if (!engine_->options.reads_here) return HereRead::kLater;
  IndexReader* reader = engine_->HereReader();
  if (!reader) return HereRead::kLater;
  const int64_t now = engine_->clock->NowMs();
  std::optional<IndexedEntry> entry;
  if (!reader->Find(key, now, &entry).ok()) return HereRead::kLater;
  if (!entry) return HereRead::kMiss;
  if (!entry->inline_value && reach == HereReach::kMapped) return HereRead::kLater;
  std::optional<Bytes> value;
  if (!engine_->ValueOf(*entry, &value).ok() || !value) return HereRead::kLater;
  engine_->RecordAccess(key, now);
  *hit = Hit{std::move(*value), entry->expires_at_ms};
  return HereRead::kHit;
}

void DiskStore::Has(const Key& key, FoundDone done) {
  engine_->Read([engine = engine_.get(), key, done = std::move(done)](IndexReader& reader) {
    bool found = false;
    Status status = reader.Contains(key, engine->clock->NowMs(), &found);
    done(status, found);
  });
}

void DiskStore::Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) {
  if (engine_->options.limit_bytes > 0 &&
      ContentCharge(value.size()) + EntryCharge(key) > engine_->options.limit_bytes) {
    return done(Status(StatusCode::kTooLarge, "the value is larger than the disk tier's cacheLimit"));
  }
  if (!key.ns().empty()) {
    std::unique_lock lock(engine_->write_mu);
    auto limit = engine_->namespace_limits.find(key.ns());
    if (limit != engine_->namespace_limits.end() && ContentCharge(value.size()) + EntryCharge(key) > limit->second) {
      lock.unlock();
      return done(Status(StatusCode::kTooLarge, "the value is larger than namespace '" + key.ns() +
                                                    "''s limit in the disk tier"));
    }
  }
  WriteOp op(WriteOp::Kind::kPut);
  op.key = key;
  op.value = std::move(value);
  op.expires_at_ms = expires_at_ms;
  op.complete = [done = std::move(done)](WriteOp& op) { done(op.status); };
  if (op.value.size() > kInlineMax) {
    // Hashing a large value and writing its file cost more than its index work: reader threads do them, at once,
    // while the put waits in the writer's queue in its place (so writes of one key keep their order), and several
    // puts hash at once. Content already stored is written to a temp file too (its hash is not known yet), then
    // dropped. Should the file be removed before the put commits, the writer writes it again
    // (IndexWriter::AddContentRef).
    op.prepared = std::make_shared<PreparedContent>();
    auto step_done = [engine = engine_, prepared = op.prepared] {
      if (prepared->steps.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      if (prepared->refused.ok()) prepared->refused = engine->blobs.Place(prepared->temp, prepared->hash);
      prepared->ready.set_value();
    };
    engine_->Read([prepared = op.prepared, value = op.value, step_done](IndexReader&) {
      prepared->hash = Blake3::Hash(value.data(), value.size());
      step_done();
    });
    engine_->Read([engine = engine_.get(), prepared = op.prepared, value = op.value, step_done](IndexReader&) {
      prepared->refused = engine->blobs.WriteTemp(value, &prepared->temp);
      step_done();
    });
  }
  engine_->Enqueue(std::move(op));
}

void DiskStore::Delete(const Key& key, FoundDone done) {
  WriteOp op(WriteOp::Kind::kDelete);
  op.key = key;
  op.complete = [done = std::move(done)](WriteOp& op) { done(op.status, op.found); };
  engine_->Enqueue(std::move(op));
}

void DiskStore::Clear(Done done) {
  WriteOp op(WriteOp::Kind::kClear);
  op.complete = [done = std::move(done)](WriteOp& op) { done(op.status); };
  engine_->Enqueue(std::move(op));
}

void DiskStore::Sweep() { engine_->Enqueue(WriteOp{WriteOp::Kind::kSweep}); }

void DiskStore::Clean(const CleanOptions& options, CountDone done) {
  WriteOp op(WriteOp::Kind::kClean);
  op.clean = options;
  op.complete = [done = std::move(done)](WriteOp& op) { done(op.status, op.count); };
  engine_->Enqueue(std::move(op));
}

// In three steps, so the write lock (which this process's writes and other processes wait for) is held only for
// index work, never while content is read: see VerifyContent and VerifyFiles.
void DiskStore::Verify(std::shared_ptr<VerifyProgress> progress, VerifyDone done) {
  WriteOp op(WriteOp::Kind::kRepairIndex);
  auto run = std::make_shared<VerifyRun>(std::move(progress), std::move(done));
  op.complete = [engine = engine_.get(), run = std::move(run)](WriteOp& op) {
    if (!op.status.ok()) return run->done(op.status, op.verify);
    run->report = op.verify;
    engine->VerifyContent(run);
  };
  engine_->Enqueue(std::move(op));
}

void DiskStore::Flush(Done done) {
  WriteOp op(WriteOp::Kind::kFlush);
  op.complete = [done = std::move(done)](WriteOp& op) { done(op.status); };
  engine_->Enqueue(std::move(op));
}

void DiskStore::ListEntries(const ListRequest& request, ListDone done) {
  engine_->Read([engine = engine_.get(), request, done = std::move(done)](IndexReader& reader) {
    std::vector<ListedEntry> page;
    Status status = reader.List(request, engine->clock->NowMs(), &page);
    done(status, std::move(page));
  });
}

StoreCounters DiskStore::Counters() const {
  StoreCounters counters;
  counters.entries = engine_->entries.load(std::memory_order_relaxed);
  counters.bytes = engine_->bytes.load(std::memory_order_relaxed);
  counters.evictions = engine_->evictions.load(std::memory_order_relaxed);
  counters.expirations = engine_->expirations.load(std::memory_order_relaxed);
  return counters;
}

void DiskStore::AcquireDirectory(const Key& key, GrantDone done) {
  WriteOp op(WriteOp::Kind::kAcquireDirectory);
  op.key = key;
  op.granted = std::move(done);
  op.complete = [engine = engine_.get()](WriteOp& op) { engine->FinishAcquire(op); };
  engine_->Enqueue(std::move(op));
}

void DiskStore::CommitDirectory(const Key& key, const std::string& temp_path, GrantDone done) {
  WriteOp op(WriteOp::Kind::kCommitDirectory);
  op.key = key;
  op.path = temp_path;
  op.granted = std::move(done);
  op.complete = [engine = engine_.get()](WriteOp& op) { engine->FinishCommit(op); };
  engine_->Enqueue(std::move(op));
}

void DiskStore::AbandonDirectory(const Key& key, const std::string& temp_path, Status reason, Done done) {
  WriteOp op(WriteOp::Kind::kAbandonDirectory);
  op.key = key;
  op.path = temp_path;
  op.complete = [engine = engine_.get(), reason = std::move(reason), done = std::move(done)](WriteOp& op) {
    if (!engine->EndFill(DigestBlob(*op.key), op.path, reason)) {
      return done(Status(StatusCode::kInvalidArg, "no directory of this key is being filled in " + op.path));
    }
    done(Status::Ok());
  };
  engine_->Enqueue(std::move(op));
}

void DiskStore::ReleaseDirectory(const std::string& path) {
  WriteOp op(WriteOp::Kind::kReleaseDirectory);
  op.path = path;
  engine_->Enqueue(std::move(op));
}

}  // namespace stratacache::disk
