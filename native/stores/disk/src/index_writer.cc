#include "index_writer.h"

#include <algorithm>
#include <filesystem>
#include <unordered_set>
#include <vector>

#include "stratacache/clock.h"

namespace stratacache::disk {

namespace {

// An entry selected for removal: a value (`hash`), or a directory entry (`folder`); `key` is kept only when
// asked for.
struct Victim {
  std::string digest;
  std::string hash;
  uint64_t charge;
  std::string key;
  std::string folder;
};

// Reads every row of `select` (digest, hash, ns, key; with `directories`, also folder and charge, set for
// directory entries) and resets it. Keys are copied only `with_keys`.
Status Collect(Statement& select, sqlite3* db, bool with_keys, std::vector<Victim>* victims, bool directories = false) {
  victims->clear();
  int rc;
  while ((rc = select.Step()) == SQLITE_ROW) {
    Victim victim{std::string(select.Blob(0)), std::string(select.Blob(1)),
                  kEntryCharge + select.Text(2).size() + select.Text(3).size(),
                  with_keys ? std::string(select.Text(3)) : std::string(), std::string()};
    if (directories && !select.IsNull(4)) {
      victim.folder = std::string(select.Text(4));
      victim.charge = static_cast<uint64_t>(select.Int(5));
    }
    victims->push_back(std::move(victim));
  }
  select.Reset();
  return rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db, rc, "select entries");
}

// strata_score(last_access, hits, size): the core's eviction score, so SQL orders entries as the policy does.
void ScoreFunction(sqlite3_context* context, int, sqlite3_value** args) {
  const auto policy = *static_cast<const EvictionPolicy*>(sqlite3_user_data(context));
  sqlite3_result_int64(context, EvictionScore(policy, sqlite3_value_int64(args[0]),
                                              static_cast<uint64_t>(sqlite3_value_int64(args[1])),
                                              static_cast<uint64_t>(sqlite3_value_int64(args[2]))));
}

// strata_held(folder): whether a directory entry's folder is held, so eviction passes over it.
void HeldFunction(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* holds = static_cast<const DirectoryHolds*>(sqlite3_user_data(context));
  const auto* folder = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
  sqlite3_result_int(context, folder != nullptr && holds->IsHeld(folder));
}

constexpr int kRemovalBatch = 256;

}  // namespace

Status IndexWriter::Open(const std::string& root, bool strict, uint64_t limit_bytes) {
  Status status = OpenIndex(root, strict, /*create=*/true, &db_);
  if (!status.ok()) return status;
  const std::string checkpoint = "PRAGMA wal_autocheckpoint=" + std::to_string(WalCheckpointPages(limit_bytes));
  if (!(status = db_.Exec(checkpoint)).ok()) return status;
  sqlite3_create_function(db_.handle(), "strata_score", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                          const_cast<EvictionPolicy*>(&policy_), ScoreFunction, nullptr, nullptr);
  sqlite3_create_function(db_.handle(), "strata_held", 1, SQLITE_UTF8, &holds_, HeldFunction, nullptr, nullptr);
  const std::string removal_limit = " LIMIT " + std::to_string(kRemovalBatch);
  // EntryCharge and ContentCharge (index_schema.h) of a row, in SQL.
  const std::string entry_charge =
      std::to_string(kEntryCharge) + " + length(CAST(ns AS BLOB)) + length(CAST(key AS BLOB))";
  const std::string content_charge = "CASE WHEN size <= " + std::to_string(kInlineMax) + " THEN size ELSE (size + " +
                                     std::to_string(kFileChecksumBytes + kFileBlock - 1) + ") / " +
                                     std::to_string(kFileBlock) + " * " + std::to_string(kFileBlock) + " END";
  const std::string in_namespace = " FROM entries WHERE ns = ?1 AND ns <> ''";  // the partial index's condition
  const std::pair<Statement*, std::string> statements[] = {
      {&has_content_, "SELECT 1 FROM content WHERE hash = ?1"},
      {&load_totals_, "SELECT total_bytes, entries, seq FROM meta WHERE id = 0"},
      {&save_totals_, "UPDATE meta SET total_bytes = ?1, entries = ?2, seq = ?3 WHERE id = 0"},
      {&find_entry_, "SELECT hash, ns, key FROM entries WHERE digest = ?1"},
      {&upsert_entry_,
       "INSERT OR REPLACE INTO entries(digest, ns, key, hash, size, created, expires, last_access, hits, score, seq) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, 0, ?8, ?9)"},
      {&delete_entry_, "DELETE FROM entries WHERE digest = ?1"},
      {&add_ref_,
       "INSERT INTO content(hash, size, charge, refs, data, sum) VALUES (?1, ?2, ?3, 1, ?4, ?5) "
       "ON CONFLICT(hash) DO UPDATE SET refs = refs + 1 RETURNING refs"},
      {&release_ref_, "UPDATE content SET refs = refs - 1 WHERE hash = ?1 RETURNING refs, charge, data IS NULL"},
      {&delete_content_, "DELETE FROM content WHERE hash = ?1 RETURNING charge, data IS NULL"},
      {&record_access_,
       "UPDATE entries SET last_access = max(last_access, ?2), hits = hits + ?3, "
       "score = strata_score(max(last_access, ?2), hits + ?3, size), seq = ?4 WHERE digest = ?1"},
      {&select_expired_, "SELECT digest, hash, ns, key FROM entries WHERE expires <= ?1 AND expires < " +
                               std::to_string(kNeverExpires) + removal_limit},
      {&select_old_, "SELECT digest, hash, ns, key FROM entries WHERE created < ?1" + removal_limit},
      {&select_lowest_,
       "SELECT digest, hash, ns, key, NULL, NULL, score, seq FROM entries UNION ALL "
       "SELECT digest, NULL, ns, key, folder, charge, score, seq FROM directories WHERE NOT strata_held(folder) "
       "ORDER BY score, seq, digest LIMIT 64"},
      {&select_by_hash_, "SELECT digest, hash, ns, key FROM entries WHERE hash = ?1" + removal_limit},
      {&find_content_, "SELECT data IS NULL, data, sum FROM content WHERE hash = ?1"},
      {&find_directory_, "SELECT folder, ns, key, charge FROM directories WHERE digest = ?1"},
      {&insert_directory_,
       "INSERT INTO directories(digest, ns, key, folder, size, charge, created, last_access, hits, score, seq) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 0, ?8, ?9)"},
      {&delete_directory_, "DELETE FROM directories WHERE digest = ?1"},
      {&touch_directory_,
       "UPDATE directories SET last_access = max(last_access, ?2), hits = hits + 1, "
       "score = strata_score(max(last_access, ?2), hits + 1, size), seq = ?3 WHERE digest = ?1"},
      {&namespace_bytes_, "SELECT coalesce(sum(" + entry_charge + " + " + content_charge + "), 0)" + in_namespace},
      {&select_namespace_lowest_, "SELECT digest, hash, key, " + entry_charge + ", " + content_charge + in_namespace +
                                      " ORDER BY score, seq, digest LIMIT 64"},
  };
  for (const auto& [statement, sql] : statements) {
    *statement = db_.Prepare(sql, &status);
    if (!status.ok()) return status;
  }
  return LoadTotals();
}

bool IndexWriter::HasContent(const Blake3Digest& hash) {
  bool found = false;
  return FindContentRow(hash, &found).ok() && found;
}

Status IndexWriter::FindContentRow(const Blake3Digest& hash, bool* found) {
  std::string_view blob = HashBlob(hash);
  has_content_.BindBlob(1, blob.data(), blob.size());
  const int rc = has_content_.Step();
  *found = rc == SQLITE_ROW;
  has_content_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "find content");
}

Status IndexWriter::LoadTotals() {
  int rc = load_totals_.Step();
  if (rc == SQLITE_ROW) {
    totals_.bytes = static_cast<uint64_t>(load_totals_.Int(0));
    totals_.entries = static_cast<uint64_t>(load_totals_.Int(1));
    seq_ = load_totals_.Int(2);
  }
  load_totals_.Reset();
  return rc == SQLITE_ROW ? Status::Ok() : SqliteStatus(db_.handle(), rc, "read totals");
}

Status IndexWriter::Begin() {
  // IMMEDIATE takes the write lock now, so two processes never both read and then both try to upgrade.
  Status status = db_.Exec("BEGIN IMMEDIATE");
  return status.ok() ? LoadTotals() : status;
}

Status IndexWriter::Commit() {
  save_totals_.Bind(1, static_cast<int64_t>(totals_.bytes))
      .Bind(2, static_cast<int64_t>(totals_.entries))
      .Bind(3, seq_);
  Status status = save_totals_.Run("save totals");
  if (status.ok()) status = db_.Exec("COMMIT");
  if (status.ok()) RemoveReleased();
  return status;
}

void IndexWriter::Rollback(std::vector<Blake3Digest> placed) {
  db_.Exec("ROLLBACK");
  released_folders_.clear();
  released_files_ = std::move(placed);
  RemoveUnnamedFiles();
  LoadTotals();
}

void IndexWriter::RemoveReleased() {
  for (const std::string& folder : released_folders_) DropFolder(folder);
  released_folders_.clear();
  RemoveUnnamedFiles();
}

// A file goes only if, under the write lock, no content row names it: another writer may have committed an entry
// using the same content meanwhile. Should the lock not be had, the files stay, for verify() to remove.
void IndexWriter::RemoveUnnamedFiles() {
  if (!released_files_.empty() && db_.Exec("BEGIN IMMEDIATE").ok()) {
    for (const Blake3Digest& hash : released_files_) {
      bool named = true;
      if (FindContentRow(hash, &named).ok() && !named) blobs_.Remove(hash);
    }
    if (!db_.Exec("COMMIT").ok()) db_.Exec("ROLLBACK");  // nothing was written either way
  }
  released_files_.clear();
}

Status IndexWriter::AddContentRef(const Blake3Digest& hash, const Bytes& value, Status* refused) {
  const bool is_inline = value.size() <= kInlineMax;
  // Under the write lock: a file another process removed since this batch wrote it is written again.
  if (!is_inline && !HasContent(hash) && !blobs_.Exists(hash)) {
    *refused = blobs_.Write(hash, value);
    if (!refused->ok()) return Status::Ok();
  }
  std::string_view blob = HashBlob(hash);
  const uint64_t charge = ContentCharge(value.size());
  add_ref_.BindBlob(1, blob.data(), blob.size())
      .Bind(2, static_cast<int64_t>(value.size()))
      .Bind(3, static_cast<int64_t>(charge));
  if (is_inline) {
    const Checksum sum = ChecksumOf(value.data(), value.size());
    add_ref_.BindBlob(4, value.data(), value.size()).BindBlob(5, sum.data(), sum.size());
  }
  int rc = add_ref_.Step();
  const int64_t refs = rc == SQLITE_ROW ? add_ref_.Int(0) : 0;
  add_ref_.Reset();
  if (rc != SQLITE_ROW) return SqliteStatus(db_.handle(), rc, "add content");
  if (refs == 1) totals_.bytes += charge;
  return Status::Ok();
}

Status IndexWriter::ReleaseContentRef(std::string_view hash) {
  release_ref_.BindBlob(1, hash.data(), hash.size());
  int rc = release_ref_.Step();
  const bool drop = rc == SQLITE_ROW && release_ref_.Int(0) <= 0;
  release_ref_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "release content");
  if (!drop) return Status::Ok();
  delete_content_.BindBlob(1, hash.data(), hash.size());
  rc = delete_content_.Step();
  if (rc == SQLITE_ROW) {
    totals_.bytes -= std::min<uint64_t>(totals_.bytes, static_cast<uint64_t>(delete_content_.Int(0)));
    if (delete_content_.Int(1)) released_files_.push_back(HashFromBlob(hash));
  }
  delete_content_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "drop content");
}

Status IndexWriter::RemoveEntry(std::string_view digest, std::string_view hash, uint64_t entry_charge) {
  delete_entry_.BindBlob(1, digest.data(), digest.size());
  Status status = delete_entry_.Run("delete entry");
  if (!status.ok()) return status;
  totals_.entries -= std::min<uint64_t>(totals_.entries, 1);
  totals_.bytes -= std::min(totals_.bytes, entry_charge);
  return ReleaseContentRef(hash);
}

Status IndexWriter::Put(const Key& key, const Blake3Digest& hash, const Bytes& value, int64_t expires_at_ms,
                        int64_t now_ms, Status* refused) {
  // The new content is referenced before the old is released, so replacing a value by itself keeps its file.
  Status status = AddContentRef(hash, value, refused);
  if (!status.ok() || !refused->ok()) return status;
  bool replaced;
  if (!(status = DeleteValue(key, &replaced)).ok()) return status;
  const std::string digest = DigestBlob(key);
  std::string_view blob = HashBlob(hash);
  upsert_entry_.BindBlob(1, digest.data(), digest.size())
      .Bind(2, key.ns())
      .Bind(3, key.text())
      .BindBlob(4, blob.data(), blob.size())
      .Bind(5, static_cast<int64_t>(value.size()))
      .Bind(6, now_ms)
      .Bind(7, expires_at_ms)
      .Bind(8, EvictionScore(policy_, now_ms, 0, value.size()))
      .Bind(9, NextSeq());
  if (!(status = upsert_entry_.Run("insert entry")).ok()) return status;
  totals_.entries += 1;
  totals_.bytes += EntryCharge(key);
  return Status::Ok();
}

Status IndexWriter::Delete(const Key& key, bool* found) {
  bool value = false, directory = false;
  Status status = DeleteValue(key, &value);
  if (status.ok()) status = DeleteDirectory(key, &directory);
  *found = value || directory;
  return status;
}

Status IndexWriter::DeleteValue(const Key& key, bool* found) {
  const std::string digest = DigestBlob(key);
  find_entry_.BindBlob(1, digest.data(), digest.size());
  int rc = find_entry_.Step();
  *found = rc == SQLITE_ROW;
  // A row of another key with the same digest is replaced too: the index holds one entry per digest.
  std::string hash = *found ? std::string(find_entry_.Blob(0)) : std::string();
  const uint64_t charge = *found ? kEntryCharge + find_entry_.Text(1).size() + find_entry_.Text(2).size() : 0;
  find_entry_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "find entry");
  return *found ? RemoveEntry(digest, hash, charge) : Status::Ok();
}

Status IndexWriter::Clear() {
  Status status = db_.Exec("DELETE FROM entries; DELETE FROM content; DELETE FROM directories;");
  if (!status.ok()) return status;
  blobs_.ForEach([this](const std::optional<Blake3Digest>& hash, const std::string& path) {
    std::error_code ignored;
    if (hash) {
      released_files_.push_back(*hash);
    } else {
      std::filesystem::remove(path, ignored);  // no row can name it
    }
  });
  folders_.ForEach([this](const std::string& folder) { released_folders_.push_back(folder); });
  totals_ = IndexTotals{};
  return Status::Ok();
}

Status IndexWriter::RecordAccesses(const PendingAccesses& accesses) {
  std::vector<const PendingAccesses::value_type*> in_order;
  for (const auto& access : accesses) in_order.push_back(&access);
  std::sort(in_order.begin(), in_order.end(), [](auto* a, auto* b) { return a->second.order < b->second.order; });
  for (const auto* use : in_order) {
    const auto& [digest, access] = *use;
    record_access_.BindBlob(1, digest.data(), digest.size())
        .Bind(2, access.last_access_ms)
        .Bind(3, static_cast<int64_t>(access.hits))
        .Bind(4, NextSeq());
    Status status = record_access_.Run("record access");
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

template <class Bind>
Status IndexWriter::RemoveSelected(Statement& select, Bind bind, uint64_t* removed, std::vector<std::string>* keys) {
  std::vector<Victim> victims;
  while (true) {
    bind(select);
    Status status = Collect(select, db_.handle(), keys != nullptr, &victims);
    if (!status.ok() || victims.empty()) return status;
    for (Victim& victim : victims) {
      if (!(status = RemoveEntry(victim.digest, victim.hash, victim.charge)).ok()) return status;
      if (keys != nullptr) keys->push_back(std::move(victim.key));
    }
    *removed += victims.size();
  }
}

Status IndexWriter::RemoveExpired(int64_t now_ms, uint64_t* removed, std::vector<std::string>* keys) {
  return RemoveSelected(select_expired_, [now_ms](Statement& s) { s.Bind(1, now_ms); }, removed, keys);
}

Status IndexWriter::RemoveCreatedBefore(int64_t before_ms, uint64_t* removed) {
  return RemoveSelected(select_old_, [before_ms](Statement& s) { s.Bind(1, before_ms); }, removed);
}

Status IndexWriter::EvictTo(uint64_t limit_bytes, uint64_t* removed, std::vector<std::string>* keys) {
  std::vector<Victim> victims;
  while (totals_.bytes > limit_bytes) {
    Status status = Collect(select_lowest_, db_.handle(), keys != nullptr, &victims, /*directories=*/true);
    if (!status.ok() || victims.empty()) return status;
    for (Victim& victim : victims) {
      if (totals_.bytes <= limit_bytes) break;
      status = victim.folder.empty() ? RemoveEntry(victim.digest, victim.hash, victim.charge)
                                     : RemoveDirectory(victim.digest, victim.folder, victim.charge);
      if (!status.ok()) return status;
      ++*removed;
      if (keys != nullptr) keys->push_back(std::move(victim.key));
    }
  }
  return Status::Ok();
}

Status IndexWriter::EvictNamespaceTo(const std::string& ns, uint64_t limit_bytes, uint64_t* removed,
                                     std::vector<std::string>* keys) {
  int rc = namespace_bytes_.Bind(1, ns).Step();
  uint64_t bytes = rc == SQLITE_ROW ? static_cast<uint64_t>(namespace_bytes_.Int(0)) : 0;
  namespace_bytes_.Reset();
  if (rc != SQLITE_ROW) return SqliteStatus(db_.handle(), rc, "count a namespace");
  struct NamespaceVictim {
    std::string digest, hash, key;
    uint64_t entry_charge, content_charge;
  };
  std::vector<NamespaceVictim> victims;
  while (bytes > limit_bytes) {
    select_namespace_lowest_.Bind(1, ns);
    while ((rc = select_namespace_lowest_.Step()) == SQLITE_ROW) {
      const Statement& row = select_namespace_lowest_;
      victims.push_back({std::string(row.Blob(0)), std::string(row.Blob(1)),
                         keys != nullptr ? std::string(row.Text(2)) : std::string(), static_cast<uint64_t>(row.Int(3)),
                         static_cast<uint64_t>(row.Int(4))});
    }
    select_namespace_lowest_.Reset();
    if (rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "select a namespace's entries");
    if (victims.empty()) return Status::Ok();
    for (NamespaceVictim& victim : victims) {
      if (bytes <= limit_bytes) break;
      if (Status status = RemoveEntry(victim.digest, victim.hash, victim.entry_charge); !status.ok()) return status;
      bytes -= std::min(bytes, victim.entry_charge + victim.content_charge);
      ++*removed;
      if (keys != nullptr) keys->push_back(std::move(victim.key));
    }
    victims.clear();
  }
  return Status::Ok();
}

Status IndexWriter::Forget(const Blake3Digest& hash, uint64_t* removed) {
  std::string_view blob = HashBlob(hash);
  find_content_.BindBlob(1, blob.data(), blob.size());
  int rc = find_content_.Step();
  const bool intact = rc != SQLITE_ROW || blobs_.Intact(hash, InlineContentAt(find_content_, 1));
  find_content_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "find content");
  return intact ? Status::Ok() : DropContent(hash, removed);
}

Status IndexWriter::DropContent(const Blake3Digest& hash, uint64_t* removed) {
  std::string_view blob = HashBlob(hash);
  Status status = RemoveSelected(
      select_by_hash_, [blob](Statement& s) { s.BindBlob(1, blob.data(), blob.size()); }, removed);
  if (!status.ok()) return status;
  // At once, unlike content let go of: its bytes are wrong, so a put of the same content in this batch must write
  // the file again, which it does only when none is there.
  blobs_.Remove(hash);
  // Normally gone with its last entry; a row whose count was wrong goes too.
  delete_content_.BindBlob(1, blob.data(), blob.size());
  int rc = delete_content_.Step();
  if (rc == SQLITE_ROW) totals_.bytes -= std::min<uint64_t>(totals_.bytes, delete_content_.Int(0));
  delete_content_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : SqliteStatus(db_.handle(), rc, "drop content");
}

Status IndexWriter::RepairIndex(VerifyReport* counts) {
  // Entries whose content row is missing cannot be read.
  Status status = db_.Exec("DELETE FROM entries WHERE hash NOT IN (SELECT hash FROM content)");
  if (!status.ok()) return status;
  counts->removed_entries += static_cast<uint64_t>(sqlite3_changes(db_.handle()));
  // Reference counts as the entries say, then content no entry uses.
  status = db_.Exec(
      "UPDATE content SET refs = (SELECT count(*) FROM entries e WHERE e.hash = content.hash);"
      "DELETE FROM content WHERE refs = 0;");
  return status.ok() ? RecountTotals() : status;
}

Status IndexWriter::RemoveOrphanFiles(const std::vector<OrphanCandidate>& candidates, VerifyReport* counts) {
  std::error_code ignored;
  for (const OrphanCandidate& candidate : candidates) {
    if (candidate.hash) {
      std::string_view blob = HashBlob(*candidate.hash);
      find_content_.BindBlob(1, blob.data(), blob.size());
      const int rc = find_content_.Step();
      const bool used = rc == SQLITE_ROW && find_content_.Int(0) != 0;
      find_content_.Reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "find content");
      if (used) continue;
    }
    counts->orphan_files += std::filesystem::remove(candidate.path, ignored) ? 1 : 0;
  }
  Status status = RecountTotals();
  counts->entries = totals_.entries;
  return status;
}

Status IndexWriter::RecountTotals() {
  Status status;
  Statement recount = db_.Prepare(
      "SELECT (SELECT coalesce(sum(charge), 0) FROM content) + (SELECT coalesce(sum(?1 + "
      "length(CAST(ns AS BLOB)) + length(CAST(key AS BLOB))), 0) FROM entries) + "
      "(SELECT coalesce(sum(charge), 0) FROM directories), "
      "(SELECT count(*) FROM entries) + (SELECT count(*) FROM directories)",
      &status);
  if (!status.ok()) return status;
  recount.Bind(1, static_cast<int64_t>(kEntryCharge));
  int rc = recount.Step();
  if (rc == SQLITE_ROW) {
    totals_.bytes = static_cast<uint64_t>(recount.Int(0));
    totals_.entries = static_cast<uint64_t>(recount.Int(1));
  }
  recount.Reset();
  return rc == SQLITE_ROW ? Status::Ok() : SqliteStatus(db_.handle(), rc, "recount");
}


Status IndexWriter::FindDirectory(const Key& key, int64_t now_ms, std::optional<std::string>* folder) {
  folder->reset();
  const std::string digest = DigestBlob(key);
  find_directory_.BindBlob(1, digest.data(), digest.size());
  int rc = find_directory_.Step();
  // A row of another key with the same digest is a miss.
  if (rc == SQLITE_ROW && find_directory_.Text(1) == key.ns() && find_directory_.Text(2) == key.text()) {
    *folder = std::string(find_directory_.Text(0));
  }
  find_directory_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "find directory");
  if (!*folder) return Status::Ok();
  touch_directory_.BindBlob(1, digest.data(), digest.size()).Bind(2, now_ms).Bind(3, NextSeq());
  return touch_directory_.Run("record directory use");
}

Status IndexWriter::AddDirectory(const Key& key, const std::string& folder, const FolderSize& size,
                                 int64_t now_ms) {
  bool replaced;
  Status status = DeleteDirectory(key, &replaced);
  if (!status.ok()) return status;
  const std::string digest = DigestBlob(key);
  const uint64_t charge = EntryCharge(key) + size.charge;
  insert_directory_.BindBlob(1, digest.data(), digest.size())
      .Bind(2, key.ns())
      .Bind(3, key.text())
      .Bind(4, folder)
      .Bind(5, static_cast<int64_t>(size.bytes))
      .Bind(6, static_cast<int64_t>(charge))
      .Bind(7, now_ms)
      .Bind(8, EvictionScore(policy_, now_ms, 0, size.bytes))
      .Bind(9, NextSeq());
  if (!(status = insert_directory_.Run("insert directory")).ok()) return status;
  totals_.entries += 1;
  totals_.bytes += charge;
  return Status::Ok();
}

Status IndexWriter::DeleteDirectory(const Key& key, bool* found) {
  const std::string digest = DigestBlob(key);
  find_directory_.BindBlob(1, digest.data(), digest.size());
  int rc = find_directory_.Step();
  *found = rc == SQLITE_ROW;
  const std::string folder = *found ? std::string(find_directory_.Text(0)) : std::string();
  const uint64_t charge = *found ? static_cast<uint64_t>(find_directory_.Int(3)) : 0;
  find_directory_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "find directory");
  return *found ? RemoveDirectory(digest, folder, charge) : Status::Ok();
}

Status IndexWriter::RemoveDirectory(std::string_view digest, const std::string& folder, uint64_t charge) {
  delete_directory_.BindBlob(1, digest.data(), digest.size());
  Status status = delete_directory_.Run("delete directory");
  if (!status.ok()) return status;
  totals_.entries -= std::min<uint64_t>(totals_.entries, 1);
  totals_.bytes -= std::min(totals_.bytes, charge);
  released_folders_.push_back(folder);
  return Status::Ok();
}

void IndexWriter::DropFolder(const std::string& folder) {
  if (holds_.IsHeld(folder)) {
    holds_.Doom(folder);
  } else {
    folders_.Remove(folder);
  }
}

Status IndexWriter::RepairDirectories(VerifyReport* counts) {
  Status status;
  Statement rows = db_.Prepare("SELECT digest, folder FROM directories", &status);
  if (!status.ok()) return status;
  std::unordered_set<std::string> named;
  std::vector<std::string> gone;  // digests of entries whose folder is missing
  int rc;
  while ((rc = rows.Step()) == SQLITE_ROW) {
    std::string folder(rows.Text(1));
    if (!folders_.Exists(folder)) gone.emplace_back(rows.Blob(0));
    named.insert(std::move(folder));
  }
  rows.Reset();
  if (rc != SQLITE_DONE) return SqliteStatus(db_.handle(), rc, "list directories");
  for (const std::string& digest : gone) {
    delete_directory_.BindBlob(1, digest.data(), digest.size());
    if (!(status = delete_directory_.Run("drop directory")).ok()) return status;
  }
  counts->removed_entries += gone.size();
  folders_.ForEach([&](const std::string& folder) {
    if (named.count(folder) || holds_.IsHeld(folder)) return;
    folders_.Remove(folder);
    ++counts->orphan_files;
  });
  return RecountTotals();
}

}  // namespace stratacache::disk
