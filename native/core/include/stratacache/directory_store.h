// Directory entries: a folder per key that the caller fills with files (artefacts made by other tools), in a store
// that keeps files (disk). The store sizes the folder once filled, counts it against its budget, evicts it as one
// entry, and never evicts a folder while someone holds it. A store offers them through Store::AsDirectoryStore.
#pragma once

#include <functional>
#include <string>

#include "stratacache/key.h"
#include "stratacache/status.h"

namespace stratacache {

// What AcquireDirectory grants: the entry's folder, held for the caller until it releases it; or, on a miss
// (`fill`), an empty temp folder that the caller fills and then commits or abandons. One caller per key fills at
// a time; the others wait for its outcome.
struct DirectoryGrant {
  std::string path;
  bool fill = false;
};
using GrantDone = std::function<void(Status, DirectoryGrant)>;

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  virtual void AcquireDirectory(const Key& key, GrantDone done) = 0;
  // Sizes the filled temp folder AcquireDirectory granted, moves it into place as `key`'s entry (one rename, so
  // a crash never shows a half-filled entry), and grants it, held, to the filler and to every caller that waited.
  virtual void CommitDirectory(const Key& key, const std::string& temp_path, GrantDone done) = 0;
  // Removes the temp folder; the callers that waited get `reason`.
  virtual void AbandonDirectory(const Key& key, const std::string& temp_path, Status reason,
                                std::function<void(Status)> done) = 0;
  // Ends one hold on a folder granted by AcquireDirectory or CommitDirectory.
  virtual void ReleaseDirectory(const std::string& path) = 0;
};

}  // namespace stratacache
