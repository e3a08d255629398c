#include "multipart_upload.h"

#include <algorithm>

#include "object_requests.h"
#include "s3_xml.h"

namespace stratacache::s3 {
namespace {

class MultipartUpload : public std::enable_shared_from_this<MultipartUpload> {
 public:
  MultipartUpload(RequestRunner& runner, PutObjectRequest request, const MultipartOptions& options,
                  S3Callback<PutObjectResult> done)
      : runner_(runner),
        request_(std::move(request)),
        options_(options),
        done_(std::move(done)),
        parts_((request_.body.size() + options.part_size - 1) / options.part_size) {}

  void Start() {
    deadline_ms_ = runner_.DeadlineFor(request_.body.size());
    // The parts listen to a signal of the upload's own, so that one failure can cancel the others.
    if (request_.signal) {
      caller_listener_ = request_.signal->AddListener([signal = cancel_] { signal->Abort(); });
    }
    S3Call create{.method = "POST",
                  .bucket = request_.bucket,
                  .key = request_.key,
                  .query = {{"uploads", ""}},
                  .headers = NewObjectHeaders(request_, BodySha256(request_)),
                  .idempotent = false,  // a repeat would leave an orphan upload behind
                  .signal = cancel_,
                  .deadline_ms = deadline_ms_};
    runner_.Run(std::move(create), [self = shared_from_this()](S3Error error, HttpResponse response) {
      self->OnCreated(std::move(error), response);
    });
  }

 private:
  void OnCreated(S3Error error, const HttpResponse& response) {
    if (!error.ok()) return Finish(std::move(error));
    upload_id_ = ParseUploadId(response.body.view());
    if (upload_id_.empty()) return Finish(S3Error::Make(S3ErrorKind::kServer, "no UploadId in the service's answer"));
    SendParts();
  }

  // Keeps `concurrency` parts in flight; once none is left to send, completes or aborts the upload.
  void SendParts() {
    while (failure_.ok() && in_flight_ < options_.concurrency && next_part_ < parts_.size()) {
      SendPart(next_part_++);
    }
    if (in_flight_ > 0) return;
    if (!failure_.ok()) return AbortUpload();
    if (next_part_ == parts_.size()) CompleteUpload();
  }

  void SendPart(size_t index) {
    ++in_flight_;
    const size_t offset = index * options_.part_size;
    const size_t size = std::min<size_t>(options_.part_size, request_.body.size() - offset);
    S3Call part{.method = "PUT",
                .bucket = request_.bucket,
                .key = request_.key,
                .query = {{"partNumber", std::to_string(index + 1)}, {"uploadId", upload_id_}},
                .body = BodySlice{request_.body, offset, size},
                .signal = cancel_,
                .deadline_ms = deadline_ms_};
    runner_.Run(std::move(part), [self = shared_from_this(), index](S3Error error, HttpResponse response) {
      self->OnPart(index, std::move(error), response);
    });
  }

  void OnPart(size_t index, S3Error error, const HttpResponse& response) {
    --in_flight_;
    std::string etag(response.Header("etag"));
    if (error.ok() && etag.empty()) error = S3Error::Make(S3ErrorKind::kServer, "no ETag for an uploaded part");
    if (error.ok()) {
      parts_[index] = {static_cast<int>(index + 1), std::move(etag)};
    } else {
      Fail(std::move(error));
    }
    SendParts();
  }

  void CompleteUpload() {
    const std::string xml = CompleteMultipartUploadXml(parts_);
    // AWS asks clients to retry a failed CompleteMultipartUpload; repeating one is safe.
    S3Call complete{.method = "POST",
                    .bucket = request_.bucket,
                    .key = request_.key,
                    .query = {{"uploadId", upload_id_}},
                    .headers = {{"content-type", "application/xml"}},
                    .body = BodySlice::Whole(Bytes::Copy(xml)),
                    .signal = cancel_,
                    .deadline_ms = deadline_ms_};
    runner_.Run(std::move(complete), [self = shared_from_this()](S3Error error, HttpResponse response) {
      self->OnCompleted(std::move(error), response);
    });
  }

  void OnCompleted(S3Error error, const HttpResponse& response) {
    // The service may fail the completion after it has answered 200, with an <Error> document as the body.
    if (error.ok()) {
      if (std::optional<ErrorDocument> document = ParseErrorDocument(response.body.view())) {
        error = S3Error::Make(
            S3ErrorKind::kServer,
            runner_.Redacted("CompleteMultipartUpload failed: " + document->code + ": " + document->message));
        error.s3_code = runner_.Redacted(document->code);
        error.request_id = runner_.Redacted(document->request_id);
        error.retryable = true;
      }
    }
    if (!error.ok()) {
      Fail(std::move(error));
      return AbortUpload();
    }
    Finish(S3Error::Ok(), PutObjectResult{ParseCompletedEtag(response.body.view()), static_cast<int>(parts_.size())});
  }

  void Fail(S3Error error) {
    if (!failure_.ok()) return;
    failure_ = std::move(error);
    cancel_->Abort();
  }

  // Deliberately without the caller's signal or the upload's deadline: an aborted upload must still be cleaned up.
  void AbortUpload() {
    S3Call abort{
        .method = "DELETE", .bucket = request_.bucket, .key = request_.key, .query = {{"uploadId", upload_id_}}};
    runner_.Run(std::move(abort), [self = shared_from_this()](S3Error error, HttpResponse) {
      if (!error.ok() && error.kind != S3ErrorKind::kNotFound) {
        self->failure_.message += "; the unfinished upload could not be aborted either (" + error.message + ")";
      }
      self->Finish(std::move(self->failure_));
    });
  }

  void Finish(S3Error error, PutObjectResult result = {}) {
    if (caller_listener_ != 0) request_.signal->RemoveListener(caller_listener_);
    done_({std::move(error), std::move(result)});
  }

  RequestRunner& runner_;
  const PutObjectRequest request_;
  const MultipartOptions options_;
  const S3Callback<PutObjectResult> done_;
  const std::shared_ptr<AbortSignal> cancel_ = AbortSignal::Create();
  uint64_t caller_listener_ = 0;
  int64_t deadline_ms_ = 0;  // one for the whole upload, its parts and retries
  std::string upload_id_;
  std::vector<CompletedPart> parts_;
  size_t next_part_ = 0;
  int in_flight_ = 0;
  S3Error failure_;
};

}  // namespace

void RunMultipartUpload(RequestRunner& runner, PutObjectRequest request, const MultipartOptions& options,
                        S3Callback<PutObjectResult> done) {
  std::make_shared<MultipartUpload>(runner, std::move(request), options, std::move(done))->Start();
}

}  // namespace stratacache::s3
