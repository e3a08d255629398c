#include "stratacache/s3/s3_client.h"

#include "batch_delete.h"
#include "http_types.h"
#include "listing.h"
#include "multipart_upload.h"
#include "object_requests.h"
#include "request_checks.h"
#include "request_runner.h"

namespace stratacache::s3 {
namespace {

S3Error CheckOptions(const S3ClientOptions& options, const S3Settings& settings) {
  auto invalid = [](const char* why) { return S3Error::Make(S3ErrorKind::kInvalidArg, why); };
  if (settings.region.empty()) return invalid("no region");
  if (settings.credentials.access_key_id.empty() || settings.credentials.secret_access_key.empty()) {
    return invalid("credentials need both an access key id and a secret");
  }
  if (options.timeout_ms <= 0) return invalid("the timeout must be positive");
  if (options.max_concurrent_requests < 1) return invalid("max_concurrent_requests must be at least 1");
  if (options.retry.max_attempts < 1) return invalid("retry.max_attempts must be at least 1");
  if (options.retry.base_delay_ms < 0 || options.retry.max_delay_ms < 0)
    return invalid("retry delays cannot be negative");
  if (options.multipart_part_size < kMinPartSize) return invalid("multipart_part_size must be at least 5 MiB");
  if (options.multipart_concurrency < 1) return invalid("multipart_concurrency must be at least 1");
  return S3Error::Ok();
}

template <class T>
void Fail(S3Callback<T>& done, S3Error error) {
  done(S3Result<T>{std::move(error)});
}
void Fail(S3DoneCallback& done, S3Error error) { done(std::move(error)); }

}  // namespace

struct S3Client::Core {
  std::shared_ptr<CurlLoop> loop;
  std::shared_ptr<RequestRunner> runner;
  MultipartOptions multipart;
  uint64_t multipart_threshold = 0;
};

S3Result<std::unique_ptr<S3Client>> S3Client::Create(const S3ClientOptions& options) {
  S3Result<S3Settings> settings = ResolveSettings(options, ProcessEnvironment());
  if (!settings.ok()) return {std::move(settings.error)};
  return Create(options, settings.value);
}

S3Result<std::unique_ptr<S3Client>> S3Client::Create(const S3ClientOptions& options, const S3Settings& settings) {
  if (S3Error error = CheckOptions(options, settings); !error.ok()) return {std::move(error)};
  S3Result<Endpoint> endpoint = Endpoint::Parse(settings.endpoint);
  if (!endpoint.ok()) return {std::move(endpoint.error)};

  auto core = std::make_shared<Core>();
  core->loop =
      std::make_shared<CurlLoop>(CurlLoopOptions{options.max_concurrent_requests, options.ca_file, "stratacache-s3"});
  core->runner = std::make_shared<RequestRunner>(
      core->loop, RunnerSettings{std::move(endpoint.value), settings.force_path_style, settings.region,
                                 settings.credentials, options.retry, options.sign_payload, options.timeout_ms});
  core->multipart = {options.multipart_part_size, options.multipart_concurrency};
  core->multipart_threshold = options.multipart_threshold;
  return {S3Error::Ok(), std::unique_ptr<S3Client>(new S3Client(std::move(core)))};
}

S3Client::S3Client(std::shared_ptr<Core> core)
    : core_(std::move(core)), thread_(std::make_unique<LoopThread>(core_->loop, core_)) {}

// Then thread_ stops the loop and waits for it, unless called from one of its callbacks.
S3Client::~S3Client() {
  core_->loop->Post([runner = core_->runner] { runner->CloseAll(); });
}

void S3Client::CancelAll() {
  core_->loop->Post([runner = core_->runner] { runner->CancelAll(); });
}

template <class Done, class Start>
void S3Client::Submit(S3Error invalid, Done done, Start start) {
  core_->loop->Post(
      [core = core_, invalid = std::move(invalid), done = std::move(done), start = std::move(start)]() mutable {
        if (!invalid.ok()) return Fail(done, std::move(invalid));
        start(*core, std::move(done));
      });
}

void S3Client::GetObject(GetObjectRequest request, S3Callback<GetObjectResult> done) {
  S3Error invalid = CheckBucketAndKey(request.bucket, request.key);
  if (invalid.ok() && request.range) invalid = CheckRange(*request.range);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunGetObject(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::HeadObject(HeadObjectRequest request, S3Callback<ObjectInfo> done) {
  S3Error invalid = CheckBucketAndKey(request.bucket, request.key);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunHeadObject(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::PutObject(PutObjectRequest request, S3Callback<PutObjectResult> done) {
  S3Error invalid = CheckBucketAndKey(request.bucket, request.key);
  if (invalid.ok()) invalid = CheckMetadata(request.metadata);
  if (invalid.ok() && !request.sha256_metadata.empty()) invalid = CheckMetadata({{request.sha256_metadata, ""}});
  if (invalid.ok()) invalid = CheckHeaderValue("the content type", request.content_type);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    if (request.body.size() >= core.multipart_threshold) {
      RunMultipartUpload(*core.runner, std::move(request), core.multipart, std::move(done));
    } else {
      RunPutObject(*core.runner, std::move(request), std::move(done));
    }
  });
}

void S3Client::CopyObject(CopyObjectRequest request, S3Callback<PutObjectResult> done) {
  S3Error invalid = CheckBucketAndKey(request.bucket, request.key);
  if (invalid.ok()) invalid = CheckBucketAndKey(request.bucket, request.source_key);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunCopyObject(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::DeleteObject(DeleteObjectRequest request, S3DoneCallback done) {
  S3Error invalid = CheckBucketAndKey(request.bucket, request.key);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunDeleteObject(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::DeleteObjects(DeleteObjectsRequest request, S3Callback<DeleteObjectsResult> done) {
  S3Error invalid = CheckBucketName(request.bucket);
  for (size_t i = 0; invalid.ok() && i < request.keys.size(); ++i) {
    invalid = CheckBucketAndKey(request.bucket, request.keys[i]);
  }
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunDeleteObjects(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::ListObjects(ListObjectsRequest request, S3Callback<ListObjectsPage> done) {
  S3Error invalid = CheckBucketName(request.bucket);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunListObjects(*core.runner, request, std::move(done));
  });
}

void S3Client::ListAllObjects(ListObjectsRequest request, S3Callback<ListObjectsPage> done) {
  S3Error invalid = CheckBucketName(request.bucket);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunListAllObjects(*core.runner, std::move(request), std::move(done));
  });
}

void S3Client::HeadBucket(HeadBucketRequest request, S3DoneCallback done) {
  S3Error invalid = CheckBucketName(request.bucket);
  Submit(std::move(invalid), std::move(done), [request = std::move(request)](Core& core, auto done) mutable {
    RunHeadBucket(*core.runner, std::move(request), std::move(done));
  });
}

}  // namespace stratacache::s3
