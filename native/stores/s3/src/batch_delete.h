// DeleteObjects over any number of keys: batches of 1,000 (S3's limit), one after another. Keys that XML cannot
// carry are reported as failures rather than sent. Loop thread only.
#pragma once

#include "request_runner.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

inline constexpr size_t kMaxKeysPerDelete = 1000;

void RunDeleteObjects(RequestRunner& runner, DeleteObjectsRequest request, S3Callback<DeleteObjectsResult> done);

}  // namespace stratacache::s3
