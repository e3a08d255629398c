// ListObjectsV2: one page, or every page of a prefix. Keys are asked for url-encoded (encoding-type=url), so keys
// holding characters XML cannot carry still list correctly. Loop thread only.
#pragma once

#include "request_runner.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

void RunListObjects(RequestRunner& runner, const ListObjectsRequest& request, S3Callback<ListObjectsPage> done);
// Follows continuation tokens to the end, one page at a time, into one page that is not truncated.
void RunListAllObjects(RequestRunner& runner, ListObjectsRequest request, S3Callback<ListObjectsPage> done);

}  // namespace stratacache::s3
