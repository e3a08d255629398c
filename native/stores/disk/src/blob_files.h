// The content files of a disk tier: `blobs/xx/yy/<hex>`, named by the BLAKE3 hash of their bytes, written to
// `tmp/` first and renamed into place. A file's name is its checksum, and identical content has one name, so
// placing a file is idempotent across threads and processes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "stratacache/blake3.h"
#include "stratacache/bytes.h"
#include "stratacache/status.h"

namespace stratacache::disk {

// The XXH3-128 checksum that ends each content file and goes with each value kept in the index.
using Checksum = std::array<uint8_t, 16>;
Checksum ChecksumOf(const uint8_t* data, size_t size);

// A value kept in the index: its bytes, and their checksum (none in rows older versions wrote).
struct InlineContent {
  std::string_view data;
  std::optional<std::string_view> sum;
};

// Whether a value kept in the index is intact: checked against its checksum (at memory speed) when it has one,
// else against its content hash, which `thorough` checks as well.
bool InlineIntact(const Blake3Digest& hash, const InlineContent& content, bool thorough);

class BlobFiles {
 public:
  // `strict`: fsync each file before its rename and its folder after, so it survives a power loss.
  BlobFiles(std::string root, bool strict) : root_(std::move(root)), strict_(strict) {}

  // Creates the folders and checks that they can be written.
  Status Prepare() const;
  // Removes temp files (and the temp folders of directory entries) left by writers that died: those of processes no longer running, or older than an hour.
  // Scans tmp/ only, never blobs/. Returns how many it removed.
  uint64_t SweepStaleTemp() const;

  Status Write(const Blake3Digest& hash, const Bytes& value) const;
  // Write in two steps, so that the bytes can be written before their hash is known: a temp file (removed on
  // failure), then its rename to the content's name (the temp file is removed on failure, or when the content is
  // already in place).
  Status WriteTemp(const Bytes& value, std::string* temp) const;
  Status Place(const std::string& temp, const Blake3Digest& hash) const;
  bool Exists(const Blake3Digest& hash) const;
  // The file's bytes, checked against `hash`: nullopt when the file is gone, kCorrupt when its bytes differ.
  Status Read(const Blake3Digest& hash, std::optional<Bytes>* value) const;
  // Whether content `hash` reads back intact, thoroughly: `inline_content` when the index holds it, else its file.
  bool Intact(const Blake3Digest& hash, const std::optional<InlineContent>& inline_content) const;
  void Remove(const Blake3Digest& hash) const;
  // Calls `visit(hash, path)` for every file under blobs/; `hash` is nullopt for a file that is not where its
  // name would place it (or not named by a hash), which no entry can use.
  using FileVisitor = std::function<void(const std::optional<Blake3Digest>& hash, const std::string& path)>;
  void ForEach(const FileVisitor& visit) const;
  // Removes every content file.
  void RemoveAll() const;

  const std::string& root() const { return root_; }

 private:
  std::string PathOf(const Blake3Digest& hash) const;
  std::string NewTempPath() const;

  std::string root_;
  bool strict_;
};

// Parses 64 lowercase hex characters.
std::optional<Blake3Digest> ParseHash(std::string_view hex);

}  // namespace stratacache::disk
