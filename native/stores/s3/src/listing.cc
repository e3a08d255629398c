#include "listing.h"

#include "s3_xml.h"

namespace stratacache::s3 {
namespace {

// Gathers the pages of one listing.
struct Gathering {
  ListObjectsRequest request;
  ListObjectsPage all;
  S3Callback<ListObjectsPage> done;
  int attempts = 0;
};

void ListNextPage(RequestRunner& runner, std::shared_ptr<Gathering> gathering) {
  RunListObjects(runner, gathering->request, [&runner, gathering](S3Result<ListObjectsPage> page) {
    gathering->attempts += page.error.attempts;
    if (!page.ok()) return gathering->done({std::move(page.error)});
    ListObjectsPage& all = gathering->all;
    all.objects.insert(all.objects.end(), std::make_move_iterator(page.value.objects.begin()),
                       std::make_move_iterator(page.value.objects.end()));
    all.common_prefixes.insert(all.common_prefixes.end(), std::make_move_iterator(page.value.common_prefixes.begin()),
                               std::make_move_iterator(page.value.common_prefixes.end()));
    if (!page.value.is_truncated) {
      S3Error ok;
      ok.attempts = gathering->attempts;
      return gathering->done({std::move(ok), std::move(all)});
    }
    // A truncated page must move the listing on, or the loop would never end.
    if (page.value.next_continuation_token.empty() ||
        page.value.next_continuation_token == gathering->request.continuation_token) {
      return gathering->done(
          {S3Error::Make(S3ErrorKind::kServer, "a truncated listing without a new continuation token")});
    }
    gathering->request.continuation_token = std::move(page.value.next_continuation_token);
    ListNextPage(runner, std::move(gathering));
  });
}

}  // namespace

void RunListObjects(RequestRunner& runner, const ListObjectsRequest& request, S3Callback<ListObjectsPage> done) {
  S3Call call{.method = "GET",
              .bucket = request.bucket,
              .query = {{"list-type", "2"}, {"encoding-type", "url"}},
              .subject = Subject::kBucket,
              .signal = request.signal};
  const std::pair<const char*, const std::string*> optional_params[] = {
      {"prefix", &request.prefix},
      {"delimiter", &request.delimiter},
      {"continuation-token", &request.continuation_token},
      {"start-after", &request.start_after}};
  for (const auto& [name, value] : optional_params) {
    if (!value->empty()) call.query.emplace_back(name, *value);
  }
  if (request.max_keys > 0) call.query.emplace_back("max-keys", std::to_string(request.max_keys));

  runner.Run(std::move(call), [done = std::move(done)](S3Error error, HttpResponse response) {
    if (!error.ok()) return done({std::move(error)});
    S3Result<ListObjectsPage> page = ParseListObjectsV2(response.body.view());
    page.error.attempts = error.attempts;
    done(std::move(page));
  });
}

void RunListAllObjects(RequestRunner& runner, ListObjectsRequest request, S3Callback<ListObjectsPage> done) {
  ListNextPage(runner, std::make_shared<Gathering>(Gathering{std::move(request), {}, std::move(done)}));
}

}  // namespace stratacache::s3
