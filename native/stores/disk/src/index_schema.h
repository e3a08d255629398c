// The SQLite index of a disk tier (`index.sqlite`, WAL mode):
//   entries(digest PK, ns, key, hash, size, created, expires, last_access, hits, tags, score, seq)
//   content(hash PK, size, charge, refs, data, sum)
//                                               -- one row per distinct value; `data` holds small values inline,
//                                                  `sum` their checksum (see InlineContent)
//   directories(digest PK, ns, key, folder, size, charge, created, last_access, hits, score, seq)
//                                               -- directory entries: a folder under dirs/ per key
//   meta(total bytes, entries, seq)             -- kept in the same transactions, so the budget needs no scan
// Eviction removes the lowest (score, seq, digest) first. `seq` numbers the writes and uses of entries in the
// order the index took them (meta.seq is the last number given, in any process), so that entries scored alike,
// such as those written in one millisecond, go in the order they were written or used.
// The writer's open upgrades an index an older version made, by statements that create what is missing (IF NOT
// EXISTS, added columns) or drop what is replaced: `directories` came that way, the `seq` columns (0 in rows
// written before) with the indexes on (score, seq) that replaced those on score, and the expiry index that leaves
// out entries which never expire replaced one over every entry.
#pragma once

#include <cstdint>
#include <string>

#include "blob_files.h"
#include "sqlite_db.h"
#include "stratacache/blake3.h"
#include "stratacache/key.h"

namespace stratacache::disk {

// Values up to this size live in the index rather than in a file: SQLite reads and writes small blobs faster
// than the file system creates, renames and opens files.
inline constexpr size_t kInlineMax = 4096;
// What an entry costs besides its value: its row and index entries, plus its key and namespace.
inline constexpr uint64_t kEntryCharge = 128;
// Files are charged by the blocks they occupy.
inline constexpr uint64_t kFileBlock = 4096;
// Each content file ends with a checksum of its bytes (see BlobFiles).
inline constexpr uint64_t kFileChecksumBytes = 16;

inline uint64_t EntryCharge(const Key& key) { return kEntryCharge + key.ns().size() + key.text().size(); }
inline uint64_t ContentCharge(uint64_t size) {
  return size <= kInlineMax ? size : (size + kFileChecksumBytes + kFileBlock - 1) / kFileBlock * kFileBlock;
}

// The 16 bytes that identify a key in the index (its digest, high word first), and back.
std::string DigestBlob(const Digest& digest);
inline std::string DigestBlob(const Key& key) { return DigestBlob(key.digest()); }
Digest DigestFromBlob(std::string_view blob);

// A content hash as the index stores it (a 32-byte blob), and back.
inline std::string_view HashBlob(const Blake3Digest& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}
Blake3Digest HashFromBlob(std::string_view blob);

// Columns `column` (data) and `column` + 1 (sum) of a content row: the value kept in the index, or nullopt when
// it is in a file.
std::optional<InlineContent> InlineContentAt(const Statement& row, int column);

inline std::string IndexPath(const std::string& root) { return root + "/index.sqlite"; }

// Opens the index at `root`, creating its tables when `create`. `strict` makes commits durable against power
// loss (synchronous=FULL); otherwise they survive a process crash (synchronous=NORMAL under WAL).
// A file that is not a database, or a corrupt one, gives kCorrupt.
Status OpenIndex(const std::string& root, bool strict, bool create, SqliteDb* db);

// How many pages the write-ahead log may hold before the writer copies it into the database. The copy (a
// checkpoint) is the costliest part of a small write, so a large tier checkpoints less often: the log may grow to
// 1/256 of `limit_bytes` (it is not charged to the budget), from SQLite's default 1,000 pages up to 16,000
// (64 MB), which made sequential 1 KiB puts about 1.5x faster.
inline int WalCheckpointPages(uint64_t limit_bytes) {
  constexpr uint64_t kPageBytes = 4096;
  const uint64_t pages = limit_bytes / 256 / kPageBytes;
  return static_cast<int>(pages < 1000 ? 1000 : pages > 16000 ? 16000 : pages);
}

}  // namespace stratacache::disk
