// The operations that take one request (retries aside): how each is asked for and how its answer is read.
// Loop thread only; arguments are already checked (see request_checks.h).
#pragma once

#include "request_runner.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::s3 {

void RunGetObject(RequestRunner& runner, GetObjectRequest request, S3Callback<GetObjectResult> done);
void RunHeadObject(RequestRunner& runner, HeadObjectRequest request, S3Callback<ObjectInfo> done);
void RunHeadBucket(RequestRunner& runner, HeadBucketRequest request, S3DoneCallback done);
// A PUT in one request, whatever the size.
void RunPutObject(RequestRunner& runner, PutObjectRequest request, S3Callback<PutObjectResult> done);
void RunCopyObject(RequestRunner& runner, CopyObjectRequest request, S3Callback<PutObjectResult> done);
void RunDeleteObject(RequestRunner& runner, DeleteObjectRequest request, S3DoneCallback done);

// The body's SHA-256 in hex when the request asks for it stored (sha256_metadata), else "".
std::string BodySha256(const PutObjectRequest& request);
// Content-Type and x-amz-meta-* headers of a new object, `body_sha256` among them when not empty; shared with
// multipart uploads.
HttpHeaders NewObjectHeaders(const PutObjectRequest& request, const std::string& body_sha256);

}  // namespace stratacache::s3
