// The write side of the index: the one connection that changes it, used by the store's writer thread. Every change
// happens between Begin and Commit, so one transaction covers a whole batch of writes (group commit), and the
// totals in `meta` change with the rows they count. The content files and entry folders a transaction lets go of
// are removed only once it commits (a rolled-back transaction brings back rows that need them), and a file under
// SQLite's write lock again, if still no content row names it, so that no other process is placing or using the
// same file at that moment; a file a transaction needs is checked for, and put back if another process removed it,
// also under the lock. The files a rolled-back batch's puts wrote go the same way. A process killed between a
// commit and those removals leaves files no row names, which take space but are never read (reads go through the
// index, and a put of the same content reuses its file); verify() removes them (orphanFiles).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "blob_files.h"
#include "directory_folders.h"
#include "index_schema.h"
#include "stratacache/disk/disk_store.h"
#include "stratacache/eviction_policy.h"
#include "stratacache/key.h"

namespace stratacache::disk {

struct IndexTotals {
  uint64_t bytes = 0;
  uint64_t entries = 0;
};

// Uses of an entry not yet written to the index: the latest access time, how many, and when the latest was
// among the uses waiting (uses are written in that order).
struct PendingAccess {
  int64_t last_access_ms = 0;
  uint64_t hits = 0;
  uint64_t order = 0;
};
using PendingAccesses = std::unordered_map<std::string, PendingAccess>;  // by DigestBlob

// A file under blobs/ that no content row named when verify() looked: its hash (nullopt for a misplaced or
// misnamed file) and path.
struct OrphanCandidate {
  std::optional<Blake3Digest> hash;
  std::string path;
};

class IndexWriter {
 public:
  // Eviction passes over the folders `holds` holds; entry folders whose row goes are removed, or doomed while held.
  IndexWriter(const BlobFiles& blobs, const DirectoryFolders& folders, DirectoryHolds& holds, EvictionPolicy policy)
      : blobs_(blobs), folders_(folders), holds_(holds), policy_(policy) {}

  // `limit_bytes` (0: none) sizes the write-ahead log: see WalCheckpointPages.
  Status Open(const std::string& root, bool strict, uint64_t limit_bytes);

  // Outside a transaction: whether the content is already stored (its file need not be written again).
  bool HasContent(const Blake3Digest& hash);

  Status Begin();
  // Commits, then removes the files and folders the transaction let go of (see the top of this file).
  Status Commit();
  // Rolls back, then removes the files among `placed` (those the batch's puts wrote) that no content row names.
  void Rollback(std::vector<Blake3Digest> placed);

  // Values over kInlineMax need their content file: the caller writes it before the transaction, and Put
  // writes it again if it is missing; a failure to write it sets `*refused` and changes nothing.
  Status Put(const Key& key, const Blake3Digest& hash, const Bytes& value, int64_t expires_at_ms, int64_t now_ms,
             Status* refused);
  // Removes the key's value and its directory entry.
  Status Delete(const Key& key, bool* found);
  Status Clear();
  // The folder name of `key`'s directory entry (nullopt when none), recording the use.
  Status FindDirectory(const Key& key, int64_t now_ms, std::optional<std::string>* folder);
  // Makes dirs/<folder> `key`'s directory entry, replacing any other.
  Status AddDirectory(const Key& key, const std::string& folder, const FolderSize& size, int64_t now_ms);
  // Part of verify(): drops directory entries whose folder is gone and removes the folders (not held) that no
  // entry names, counted as orphan files.
  Status RepairDirectories(VerifyReport* counts);
  Status RecordAccesses(const PendingAccesses& accesses);
  // Each adds to `*removed` the entries it removed, and their keys to `*keys` when it is given (for events).
  Status RemoveExpired(int64_t now_ms, uint64_t* removed, std::vector<std::string>* keys = nullptr);
  Status RemoveCreatedBefore(int64_t before_ms, uint64_t* removed);
  // Removes the lowest-scored entries until the totals fit in `limit_bytes`.
  Status EvictTo(uint64_t limit_bytes, uint64_t* removed, std::vector<std::string>* keys = nullptr);
  // Removes namespace `ns`'s lowest-scored entries until they are charged at most `limit_bytes`, counted from the
  // index: each entry as EntryCharge plus ContentCharge of its value (content shared with other entries counts
  // in full for each).
  Status EvictNamespaceTo(const std::string& ns, uint64_t limit_bytes, uint64_t* removed,
                          std::vector<std::string>* keys = nullptr);
  // Drops the content `hash` and every entry using it, unless it reads back intact (a reader found it missing
  // or corrupt, but another writer may have replaced it since).
  Status Forget(const Blake3Digest& hash, uint64_t* removed);
  // The first step of verify(), index only: drops entries without a content row, fixes reference counts and
  // drops content no entry uses. Adds to counts->removed_entries.
  Status RepairIndex(VerifyReport* counts);
  // The last step: removes the files in `candidates` that still no content row names (checked again under the
  // write lock, since another writer may have placed one since it was found), then recounts the totals.
  Status RemoveOrphanFiles(const std::vector<OrphanCandidate>& candidates, VerifyReport* counts);

  const IndexTotals& totals() const { return totals_; }

 private:
  // Removes the entries a query (digest, hash, ns, key per row; ?1 bound by `bind`) selects, `batch` at a time.
  template <class Bind>
  Status RemoveSelected(Statement& select, Bind bind, uint64_t* removed, std::vector<std::string>* keys = nullptr);
  Status RemoveEntry(std::string_view digest, std::string_view hash, uint64_t entry_charge);
  Status DeleteValue(const Key& key, bool* found);
  Status DeleteDirectory(const Key& key, bool* found);
  Status RemoveDirectory(std::string_view digest, const std::string& folder, uint64_t charge);
  // A folder whose entry is gone: removed now, or when its last hold ends.
  void DropFolder(const std::string& folder);
  Status AddContentRef(const Blake3Digest& hash, const Bytes& value, Status* refused);
  Status ReleaseContentRef(std::string_view hash);
  Status DropContent(const Blake3Digest& hash, uint64_t* removed);
  Status FindContentRow(const Blake3Digest& hash, bool* found);
  void RemoveReleased();
  void RemoveUnnamedFiles();
  Status LoadTotals();
  Status RecountTotals();
  // The next number of the index's write order (see index_schema.h), inside a transaction.
  int64_t NextSeq() { return ++seq_; }

  const BlobFiles& blobs_;
  const DirectoryFolders& folders_;
  DirectoryHolds& holds_;
  const EvictionPolicy policy_;
  SqliteDb db_;
  IndexTotals totals_;
  int64_t seq_ = 0;  // the last write order given; loaded and saved with the totals
  // What the transaction in progress let go of: removed after its commit, kept on a rollback.
  std::vector<Blake3Digest> released_files_;
  std::vector<std::string> released_folders_;
  Statement has_content_, load_totals_, save_totals_, find_entry_, upsert_entry_, delete_entry_;
  Statement add_ref_, release_ref_, delete_content_, record_access_;
  Statement select_expired_, select_old_, select_lowest_, select_by_hash_, find_content_;
  Statement find_directory_, insert_directory_, delete_directory_, touch_directory_;
  Statement namespace_bytes_, select_namespace_lowest_;
};

}  // namespace stratacache::disk
