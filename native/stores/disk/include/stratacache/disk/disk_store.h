// The disk tier: values in content-addressed files (small ones inline in the index), a SQLite index, a byte
// budget kept online, and checksums verified on every read. Several processes may share one folder.
//
// Threads: one writer runs every queued change (puts, deletes, access-time updates, eviction, sweeps) in one
// transaction per batch and then completes the batch (group commit); a small pool of readers, each with its own
// connection, serves gets. Completions are called on those threads. ReadHere answers hits on the calling thread
// instead, each calling thread with a connection of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "stratacache/cache_config.h"
#include "stratacache/clock.h"
#include "stratacache/directory_store.h"
#include "stratacache/eviction_policy.h"
#include "stratacache/store.h"

namespace stratacache::disk {

struct DiskStoreOptions {
  std::string path;
  uint64_t limit_bytes = 0;
  EvictionPolicy policy = EvictionPolicy::kLru;
  // Strict: each content file and its folder are fsynced before the index commits, and commits are synced too
  // (survives power loss). Relaxed: survives a crash of the process, not of the machine.
  bool strict = false;
  int readers = 2;
  // Whether hits may be answered on the calling thread (ReadHere): a connection of its own per calling thread
  // reads the index through its memory map. Off, every read goes through the reader threads.
  bool reads_here = true;
};

// Reads the options of a "disk" tier from the settings TypeScript flattened (path, policy, durability).
Status DiskStoreOptionsFrom(const TierConfig& tier, DiskStoreOptions* options);

// Directory entries (see directory_store.h) are folders under dirs/, one row each in the index, charged the blocks
// of their files. Holds are this process's: another process sharing the folder may evict a folder held here.
class DiskStore final : public Store, public DirectoryStore {
 public:
  // Opens the tier at `options.path`, creating it. A path that cannot be created or written fails (kIo); a
  // corrupt index is moved aside to index.sqlite.corrupt-<time> and the tier starts empty.
  static Status Open(const DiskStoreOptions& options, std::shared_ptr<const Clock> clock,
                     std::unique_ptr<DiskStore>* store);
  ~DiskStore() override;

  void Get(const Key& key, GetDone done) override;
  // Hits whose value the index holds (kMapped), or any hit (kFiles: content files read with blocking calls), and
  // misses, from the index as the calling thread's connection sees it. A damaged value or a failed read is left
  // to Get, which reports it and drops the entry.
  HereRead ReadHere(const Key& key, HereReach reach, std::optional<Hit>* hit) override;
  void Has(const Key& key, FoundDone done) override;
  void Put(const Key& key, Bytes value, int64_t expires_at_ms, Done done) override;
  void Delete(const Key& key, FoundDone done) override;
  void Clear(Done done) override;
  void Sweep() override;
  void Clean(const CleanOptions& options, CountDone done) override;
  StoreCounters Counters() const override;
  // From the index on a reader thread, in digest order; content files are not read.
  void ListEntries(const ListRequest& request, ListDone done) override;
  // Reports what the writer evicts and what sweeps expire, once their transaction commits.
  void ReportRemovalsTo(const EventHub* hub, std::string tier) override;
  // Enforced by this process's writer after each batch, counting from the index (so across restarts and other
  // processes' writes), and at once by a batch of its own.
  Status LimitNamespace(const std::string& ns, std::optional<uint64_t> limit_bytes) override;

  // Checks the index against the files while the tier keeps serving: drops entries whose content is missing or
  // corrupt, removes files no entry uses and stale temp files, and fixes reference counts and totals.
  void Verify(std::shared_ptr<VerifyProgress> progress, VerifyDone done) override;
  // Calls `done` once everything queued before it (including recorded uses) is committed.
  void Flush(Done done);

  DirectoryStore* AsDirectoryStore() override { return this; }
  void AcquireDirectory(const Key& key, GrantDone done) override;
  void CommitDirectory(const Key& key, const std::string& temp_path, GrantDone done) override;
  void AbandonDirectory(const Key& key, const std::string& temp_path, Status reason, Done done) override;
  void ReleaseDirectory(const std::string& path) override;

 private:
  struct Engine;
  explicit DiskStore(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {}
  std::shared_ptr<Engine> engine_;
};

}  // namespace stratacache::disk
