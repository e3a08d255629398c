// libcurl is loaded with dlopen when the first S3 or HTTP tier (or S3 mount) opens, not linked: the addon then
// loads, and serves RAM and disk tiers, on a machine without libcurl4 (a slim container image).
#pragma once

#include "stratacache/status.h"

namespace stratacache::curl {

// Loads libcurl.so.4 once per process; later calls return the first outcome. ERR_MISSING_LIBRARY names the
// library and the Debian package to install. A CurlLoop may be made only after this returned ok.
Status LoadLibcurl();

}  // namespace stratacache::curl
