#include "batch_delete.h"

#include <algorithm>

#include "crypto.h"
#include "s3_xml.h"

namespace stratacache::s3 {
namespace {

struct BatchDelete {
  DeleteObjectsRequest request;  // keys that can be sent
  size_t next = 0;               // the first key of the next batch
  DeleteObjectsResult result;
  S3Callback<DeleteObjectsResult> done;
};

void SendNextBatch(RequestRunner& runner, std::shared_ptr<BatchDelete> batch) {
  const std::vector<std::string>& keys = batch->request.keys;
  if (batch->next == keys.size()) return batch->done({S3Error::Ok(), std::move(batch->result)});
  const size_t end = std::min(keys.size(), batch->next + kMaxKeysPerDelete);
  const std::string xml = DeleteObjectsXml({keys.begin() + batch->next, keys.begin() + end});
  batch->next = end;

  // Deleting twice leaves the same state, so a batch may be retried like any idempotent request.
  S3Call call{.method = "POST",
              .bucket = batch->request.bucket,
              .query = {{"delete", ""}},
              .headers = {{"content-type", "application/xml"}, {"content-md5", Md5Base64(xml)}},
              .body = BodySlice::Whole(Bytes::Copy(xml)),
              .idempotent = true,
              .subject = Subject::kBucket,
              .signal = batch->request.signal};
  runner.Run(std::move(call), [&runner, batch](S3Error error, HttpResponse response) {
    if (!error.ok()) return batch->done({std::move(error), std::move(batch->result)});
    S3Result<std::vector<DeleteFailure>> failures = ParseDeleteResult(response.body.view());
    if (!failures.ok()) return batch->done({std::move(failures.error), std::move(batch->result)});
    for (DeleteFailure& failure : failures.value) {
      for (std::string* text : {&failure.key, &failure.s3_code, &failure.message}) {
        *text = runner.Redacted(std::move(*text));
      }
    }
    std::vector<DeleteFailure>& all = batch->result.failures;
    all.insert(all.end(), std::make_move_iterator(failures.value.begin()),
               std::make_move_iterator(failures.value.end()));
    SendNextBatch(runner, std::move(batch));
  });
}

}  // namespace

void RunDeleteObjects(RequestRunner& runner, DeleteObjectsRequest request, S3Callback<DeleteObjectsResult> done) {
  auto batch = std::make_shared<BatchDelete>();
  batch->done = std::move(done);
  batch->request.bucket = std::move(request.bucket);
  batch->request.signal = std::move(request.signal);
  for (std::string& key : request.keys) {
    if (XmlEscape(key)) {
      batch->request.keys.push_back(std::move(key));
    } else {
      batch->result.failures.push_back({std::move(key), "", "the key holds a character XML cannot carry"});
    }
  }
  SendNextBatch(runner, std::move(batch));
}

}  // namespace stratacache::s3
