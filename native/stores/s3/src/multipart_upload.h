// A PUT in parts: CreateMultipartUpload, UploadPart for each slice of the body (a few at a time, each retried on
// its own), CompleteMultipartUpload. If anything fails or the caller aborts, the parts in flight are cancelled
// and the upload is aborted on the service, so no unfinished upload is left to be billed; then the first
// failure is reported. Loop thread only.
#pragma once

#include "request_runner.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

struct MultipartOptions {
  uint64_t part_size = 8 * kMiB;
  int concurrency = 4;
};

void RunMultipartUpload(RequestRunner& runner, PutObjectRequest request, const MultipartOptions& options,
                        S3Callback<PutObjectResult> done);

}  // namespace stratacache::s3
