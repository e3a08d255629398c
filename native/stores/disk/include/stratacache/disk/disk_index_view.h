// A read-only look at the index of a disk tier's folder, for tools (the stratacache CLI): it opens the index
// alone, not the tier, so it never creates the folder or the index, never moves a damaged index aside, sweeps,
// repairs or records an access. Each call opens the index and closes it again, so nothing is held between pages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stratacache/entry_listing.h"

namespace stratacache::disk {

// One page of the live entries at `now_ms` of the disk tier in `folder` (see Store::ListEntries). kNotFound when
// the folder or its index is missing; kCorrupt when the index is damaged.
Status ListIndexPage(const std::string& folder, const ListRequest& request, int64_t now_ms,
                     std::vector<ListedEntry>* page);

}  // namespace stratacache::disk
