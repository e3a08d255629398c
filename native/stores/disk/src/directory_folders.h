// The folders of a disk tier's directory entries: `dirs/<name>`, filled as `tmp/<name>` first and renamed into
// place, so an entry's folder appears complete or not at all. Names follow the temp files' <pid>-<counter>-<random>
// (see BlobFiles), so a sweep of tmp/ can tell whether the process filling a folder still runs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "stratacache/status.h"

namespace stratacache::disk {

// What a filled folder holds: the bytes of its files, and what they cost in the tier's budget (each file's
// blocks, like content files; folders and links are charged nothing).
struct FolderSize {
  uint64_t bytes = 0;
  uint64_t charge = 0;
};

class DirectoryFolders {
 public:
  // `strict`: a filled folder's files and folders are fsynced before it is placed, and dirs/ after, so an entry
  // that was committed survives a power loss whole.
  DirectoryFolders(std::string root, bool strict) : root_(std::move(root)), strict_(strict) {}

  // Creates dirs/.
  Status Prepare() const;
  // Creates a new empty folder under tmp/ and sets `*path` to it.
  Status CreateTemp(std::string* path) const;
  // Walks the files under `path`, not following links, and fsyncs them when strict.
  Status Measure(const std::string& path, FolderSize* size) const;
  // Renames the temp folder at `temp_path` to dirs/ and sets `*name` to its name there.
  Status Place(const std::string& temp_path, std::string* name) const;
  // Removes dirs/<name> and everything in it. It is renamed into tmp/ first, so a crash part-way leaves no
  // half-deleted entry folder behind (the sweep of tmp/ finishes the job).
  void Remove(const std::string& name) const;
  void RemoveTemp(const std::string& temp_path) const;
  bool Exists(const std::string& name) const;
  // Calls `visit(name)` for every folder under dirs/.
  void ForEach(const std::function<void(const std::string& name)>& visit) const;

  std::string PathOf(const std::string& name) const { return root_ + "/dirs/" + name; }
  // The name of an entry folder given by its path, or empty for a path that is not one.
  std::string NameOf(const std::string& path) const;

 private:
  std::string NewTempPath() const;

  std::string root_;
  bool strict_;
};

// Which entry folders are held (by the callers a fill or a lookup granted them to), and which of those lost their
// entry while held: such a folder is removed when its last hold ends, never before. Used by the writer thread only.
class DirectoryHolds {
 public:
  void Hold(const std::string& name) { ++held_[name]; }
  // Ends one hold; true when it was the last on a folder whose entry is gone, which the caller then removes.
  bool Release(const std::string& name);
  bool IsHeld(const std::string& name) const { return held_.count(name) > 0; }
  // The folder's entry is gone: remove it once no longer held.
  void Doom(const std::string& name) { doomed_.insert(name); }

 private:
  std::unordered_map<std::string, int> held_;
  std::unordered_set<std::string> doomed_;
};

}  // namespace stratacache::disk
