// A general S3 client over libcurl, for the s3() cache tier and for workspace mounts.
//
// Threads: the client owns one I/O thread that runs every request (a libcurl multi loop: connections are kept
// and reused, at most max_concurrent_requests are on the wire). Every method may be called from any thread and
// returns at once; its callback runs later on the client's thread, exactly once, also for arguments refused
// up front. Callbacks must not block: they hold up every other request of the client.
//
// Requests are signed with AWS Signature V4. Idempotent requests are retried with backoff on 5xx, 429,
// timeouts and broken connections (see RetryPolicy). A request's AbortSignal cancels it even mid-transfer.
//
// Errors: a missing object is S3ErrorKind::kNotFound (a miss, for a cache); a missing bucket kNoSuchBucket;
// refused credentials kAuth, with the service's code and request id. No message ever holds a secret.
#pragma once

#include <memory>

#include "stratacache/s3/s3_client_options.h"
#include "stratacache/s3/s3_error.h"
#include "stratacache/s3/s3_settings.h"
#include "stratacache/s3/s3_types.h"

namespace stratacache::curl {
class LoopThread;
}

namespace stratacache::s3 {

class S3Client {
 public:
  // Resolves the options against the process environment and the shared AWS files, then starts the client.
  // Fails with kInvalidArg for bad options and kAuth when no credentials are found; nothing is sent yet (use
  // HeadBucket to check a bucket).
  static S3Result<std::unique_ptr<S3Client>> Create(const S3ClientOptions& options);
  // The same with settings already resolved; tuning (timeouts, retries, multipart) still comes from `options`.
  static S3Result<std::unique_ptr<S3Client>> Create(const S3ClientOptions& options, const S3Settings& settings);

  // Completes every unfinished request with kClosed and stops the thread, waiting for it unless called from
  // one of the client's own callbacks.
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Completes every unfinished request with kClosed, promptly; requests made afterwards go out as usual.
  void CancelAll();

  // kNotFound when there is no such object; kRejected (HTTP 416) for a range that starts past its end.
  void GetObject(GetObjectRequest request, S3Callback<GetObjectResult> done);
  void HeadObject(HeadObjectRequest request, S3Callback<ObjectInfo> done);
  // Bodies of at least multipart_threshold bytes go up as a multipart upload, aborted on the service if it fails.
  void PutObject(PutObjectRequest request, S3Callback<PutObjectResult> done);
  // kNotFound when there is no source object; the result's etag is the copy's.
  void CopyObject(CopyObjectRequest request, S3Callback<PutObjectResult> done);
  // Succeeds also when there was no such object, as S3 does.
  void DeleteObject(DeleteObjectRequest request, S3DoneCallback done);
  // On failure the result still lists the failures of the batches that went through.
  void DeleteObjects(DeleteObjectsRequest request, S3Callback<DeleteObjectsResult> done);
  // One page of a listing; pass its next_continuation_token to get the next.
  void ListObjects(ListObjectsRequest request, S3Callback<ListObjectsPage> done);
  // Every page, gathered into one.
  void ListAllObjects(ListObjectsRequest request, S3Callback<ListObjectsPage> done);
  // kNoSuchBucket when the bucket does not exist, kAuth when it may not be read.
  void HeadBucket(HeadBucketRequest request, S3DoneCallback done);

 private:
  struct Core;
  explicit S3Client(std::shared_ptr<Core> core);

  // Runs `start` on the client's thread, or completes `done` with `invalid` there when that is an error.
  template <class Done, class Start>
  void Submit(S3Error invalid, Done done, Start start);

  std::shared_ptr<Core> core_;
  std::unique_ptr<curl::LoopThread> thread_;  // last: it goes first
};

}  // namespace stratacache::s3
