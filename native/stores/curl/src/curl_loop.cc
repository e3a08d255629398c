#include "stratacache/curl/curl_loop.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>

#include "libcurl_api.h"

namespace stratacache::curl {
namespace {

// Error bodies are read for their code and message only; a runaway one is cut here.
constexpr size_t kMaxErrorBody = 1 << 20;
// The largest announced Content-Length allocated up front; a larger body grows only as its bytes arrive, so a
// lying header cannot make the client allocate what was never sent.
constexpr uint64_t kMaxPreallocatedBody = uint64_t{4} << 30;
constexpr long kBufferSize = 256 * 1024;
constexpr long kMaxRedirects = 5;
// The longest the loop sleeps without a reason to wake, so that a lost wake-up cannot stall it.
constexpr int kMaxPollMs = 1000;
// A body announced larger than this earns no more time (and cannot overflow the deadline).
constexpr uint64_t kMaxAllowanceMiB = uint64_t{1} << 30;
// Below this many bytes a second for as long as the request's timeout, a transfer fails as timed out even while
// its announced size still earns it time: a trickle cannot hold a caller for the allowance of a lying header.
constexpr long kLowSpeedBytesPerSecond = 1024;

TransportError TransportErrorOf(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportError::kConnect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WRITE_ERROR:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kBroken;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return TransportError::kTls;
    default:
      return TransportError::kOther;
  }
}

}  // namespace

struct CurlLoop::Transfer {
  uint64_t id = 0;
  HttpRequest request;
  TransferDone done;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  size_t uploaded = 0;
  char error_text[CURL_ERROR_SIZE] = {};

  // The response under construction. A 2xx body of announced length is written straight into its final
  // buffer; any other body goes through `spill`.
  HttpResponse response;
  uint64_t content_length = 0;
  bool body_started = false;
  size_t filled = 0;
  std::string spill;
  std::optional<Deadlines::iterator> deadline_entry;  // in the loop's deadlines_ while open

  // When this transfer times out: its request's deadline, later by the allowance for the body announced (a HEAD
  // announces one it will not send).
  int64_t DeadlineMs() const {
    if (request.method == "HEAD") return request.deadline_ms;
    const uint64_t mib = std::min(content_length / kMiB, kMaxAllowanceMiB);
    return request.deadline_ms + static_cast<int64_t>(mib) * request.ms_per_mib;
  }

  ~Transfer() { Libcurl().slist_free_all(header_list); }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {  // a new response (after a 100 Continue, say) starts over
      transfer->response.headers.clear();
      transfer->content_length = 0;
      const size_t space = line.find(' ');
      transfer->response.status = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
      return size * count;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return size * count;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (name == "content-length") transfer->content_length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    transfer->response.headers.push_back({std::move(name), std::string(value)});
    return size * count;
  }

  // Returning less than `size * count` fails the transfer: more bytes than announced, or no memory for them
  // (an exception must not unwind through libcurl).
  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t length = size * count;
    const bool success = transfer->response.status >= 200 && transfer->response.status < 300;
    try {
      if (!transfer->body_started) {
        transfer->body_started = true;
        const uint64_t announced = transfer->content_length;
        if (success && announced > 0 && announced <= kMaxPreallocatedBody) {
          transfer->response.body = Bytes::Allocate(announced);
        }
      }
      Bytes& body = transfer->response.body;
      if (!body.empty()) {
        if (transfer->filled + length > body.size()) return 0;
        std::memcpy(body.mutable_data() + transfer->filled, data, length);
        transfer->filled += length;
      } else if (success || transfer->spill.size() < kMaxErrorBody) {
        transfer->spill.append(data, length);
      }
    } catch (const std::bad_alloc&) {
      return 0;
    }
    return length;
  }

  static size_t OnRead(char* buffer, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const std::string_view body = transfer->request.body.view();
    const size_t length = std::min(size * count, body.size() - transfer->uploaded);
    std::memcpy(buffer, body.data() + transfer->uploaded, length);
    transfer->uploaded += length;
    return length;
  }

  // libcurl rewinds the body when it resends on a fresh connection (a kept-alive one turned out closed).
  static int OnSeek(void* self, curl_off_t offset, int origin) {
    auto* transfer = static_cast<Transfer*>(self);
    if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > transfer->request.body.size) {
      return CURL_SEEKFUNC_FAIL;
    }
    transfer->uploaded = static_cast<size_t>(offset);
    return CURL_SEEKFUNC_OK;
  }

  void Configure(const CurlLoopOptions& options) {
    Libcurl().easy_setopt(easy, CURLOPT_PRIVATE, this);
    Libcurl().easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    Libcurl().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    Libcurl().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    Libcurl().easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    Libcurl().easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);  // keys may hold "/../"; the signed path must be sent as is
    Libcurl().easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    Libcurl().easy_setopt(easy, CURLOPT_BUFFERSIZE, kBufferSize);
    Libcurl().easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, kBufferSize);
    if (request.deadline_ms != 0) {  // the loop itself enforces the deadline; these bound what it cannot see
      const int64_t left_ms = std::max<int64_t>(request.deadline_ms - NowMs(), 1);
      Libcurl().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left_ms));
      Libcurl().easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
      Libcurl().easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>((left_ms + 999) / 1000));
    }
    Libcurl().easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
    if (!options.ca_file.empty()) Libcurl().easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (request.follow_redirects) {
      Libcurl().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
      Libcurl().easy_setopt(easy, CURLOPT_MAXREDIRS, kMaxRedirects);
      Libcurl().easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    Libcurl().easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    Libcurl().easy_setopt(easy, CURLOPT_HEADERDATA, this);
    Libcurl().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    Libcurl().easy_setopt(easy, CURLOPT_WRITEDATA, this);

    for (const HttpHeader& header : request.headers) {
      header_list = Libcurl().slist_append(header_list, (header.name + ": " + header.value).c_str());
    }
    header_list = Libcurl().slist_append(header_list, "Expect:");  // no 100-continue round trip before a body
    Libcurl().easy_setopt(easy, CURLOPT_HTTPHEADER, header_list);

    if (request.method == "HEAD") {
      Libcurl().easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT" || request.method == "POST") {
      Libcurl().easy_setopt(easy, CURLOPT_UPLOAD, 1L);
      Libcurl().easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size));
      Libcurl().easy_setopt(easy, CURLOPT_READFUNCTION, &OnRead);
      Libcurl().easy_setopt(easy, CURLOPT_READDATA, this);
      Libcurl().easy_setopt(easy, CURLOPT_SEEKFUNCTION, &OnSeek);
      Libcurl().easy_setopt(easy, CURLOPT_SEEKDATA, this);
    }
    if (request.method != "GET" && request.method != "HEAD") {
      Libcurl().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  // The response once libcurl reports the transfer done with `code`.
  HttpResponse TakeResponse(CURLcode code) {
    if (code != CURLE_OK) {
      HttpResponse failed;
      failed.transport = TransportErrorOf(code);
      failed.transport_message = error_text[0] != '\0' ? error_text : Libcurl().easy_strerror(code);
      return failed;
    }
    if (!response.body.empty() && filled != response.body.size()) {
      HttpResponse failed;
      failed.transport = TransportError::kBroken;
      failed.transport_message =
          "body ended after " + std::to_string(filled) + " of " + std::to_string(response.body.size()) + " bytes";
      return failed;
    }
    if (response.body.empty() && !spill.empty()) response.body = Bytes::Copy(spill);
    return std::move(response);
  }
};

CurlLoop::CurlLoop(const CurlLoopOptions& options) : options_(options) {
  multi_ = Libcurl().multi_init();
  Libcurl().multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_concurrent));
  Libcurl().multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_concurrent));
}

CurlLoop::~CurlLoop() {
  for (CURL* easy : idle_handles_) Libcurl().easy_cleanup(easy);
  Libcurl().multi_cleanup(multi_);
}

void CurlLoop::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(task));
  }
  Libcurl().multi_wakeup(multi_);
}

void CurlLoop::Stop() {
  Post([this] { stopping_ = true; });
}

int64_t CurlLoop::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void CurlLoop::Run() {
  while (true) {
    RunPostedTasks();
    if (stopping_) break;
    RunDueTimers();
    SendWaitingTransfers();
    int running = 0;
    Libcurl().multi_perform(multi_, &running);
    CollectFinishedTransfers();
    ExpireOverdueTransfers();
    Libcurl().multi_poll(multi_, nullptr, 0, PollTimeoutMs(), nullptr);
  }
  // Tasks posted meanwhile still run (they complete their callers at once, the client being closed), then
  // whatever is still open is cancelled.
  while (RunPostedTasks()) {
  }
  while (!waiting_.empty() || !active_.empty()) CancelAll();
  timers_.clear();
}

bool CurlLoop::RunPostedTasks() {
  std::deque<std::function<void()>> tasks;
  {
    std::lock_guard lock(mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
  return !tasks.empty();
}

void CurlLoop::RunDueTimers() {
  const int64_t now = NowMs();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto task = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    task();
  }
}

void CurlLoop::SendWaitingTransfers() {
  while (!waiting_.empty() && active_.size() < static_cast<size_t>(options_.max_concurrent)) {
    std::unique_ptr<Transfer> transfer = std::move(waiting_.front());
    waiting_.pop_front();
    transfer->easy = TakeEasyHandle();
    transfer->Configure(options_);
    Libcurl().multi_add_handle(multi_, transfer->easy);
    const uint64_t id = transfer->id;
    active_.emplace(id, std::move(transfer));
  }
}

void CurlLoop::CollectFinishedTransfers() {
  int queued = 0;
  while (CURLMsg* message = Libcurl().multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* raw = nullptr;
    Libcurl().easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &raw);
    const CURLcode code = message->data.result;  // `message` dies when the handle is removed
    std::unique_ptr<Transfer> transfer = Take(raw->id);
    HttpResponse response = transfer->TakeResponse(code);
    Finish(std::move(transfer), std::move(response));
  }
}

int CurlLoop::PollTimeoutMs() const {
  {
    std::lock_guard lock(mutex_);
    if (!posted_.empty()) return 0;
  }
  if (!waiting_.empty() && active_.size() < static_cast<size_t>(options_.max_concurrent)) return 0;
  int64_t wake_ms = NowMs() + kMaxPollMs;
  if (!timers_.empty()) wake_ms = std::min(wake_ms, timers_.begin()->first);
  if (!deadlines_.empty()) wake_ms = std::min(wake_ms, deadlines_.begin()->first);
  return static_cast<int>(std::clamp<int64_t>(wake_ms - NowMs(), 0, kMaxPollMs));
}

void CurlLoop::ExpireOverdueTransfers() {
  const int64_t now = NowMs();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const uint64_t id = deadlines_.begin()->second;
    // Only a transfer on the wire can have had a body announced, which earns it more time.
    if (auto active = active_.find(id); active != active_.end()) {
      if (const int64_t later = active->second->DeadlineMs(); later > now) {
        deadlines_.erase(deadlines_.begin());
        active->second->deadline_entry = deadlines_.emplace(later, id);
        continue;
      }
    }
    std::unique_ptr<Transfer> transfer = Take(id);
    HttpResponse timed_out;
    timed_out.transport = TransportError::kTimeout;
    timed_out.transport_message = "no complete response before the deadline";
    Finish(std::move(transfer), std::move(timed_out));
  }
}

CURL* CurlLoop::TakeEasyHandle() {
  if (idle_handles_.empty()) return Libcurl().easy_init();
  CURL* easy = idle_handles_.back();
  idle_handles_.pop_back();
  return easy;
}

uint64_t CurlLoop::StartTransfer(HttpRequest request, TransferDone done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = next_transfer_id_++;
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  const uint64_t id = transfer->id;
  if (transfer->request.deadline_ms != 0)
    transfer->deadline_entry = deadlines_.emplace(transfer->request.deadline_ms, id);
  waiting_.push_back(std::move(transfer));
  return id;
}

std::unique_ptr<CurlLoop::Transfer> CurlLoop::Take(uint64_t id) {
  std::unique_ptr<Transfer> transfer;
  if (auto it = active_.find(id); it != active_.end()) {
    transfer = std::move(it->second);
    active_.erase(it);
  } else if (auto queued = std::find_if(waiting_.begin(), waiting_.end(), [id](const auto& t) { return t->id == id; });
             queued != waiting_.end()) {
    transfer = std::move(*queued);
    waiting_.erase(queued);
  } else {
    return nullptr;
  }
  if (transfer->deadline_entry) deadlines_.erase(*transfer->deadline_entry);
  transfer->deadline_entry.reset();
  return transfer;
}

void CurlLoop::CancelTransfer(uint64_t id) {
  std::unique_ptr<Transfer> transfer = Take(id);
  if (!transfer) return;
  HttpResponse cancelled;
  cancelled.transport = TransportError::kCancelled;
  cancelled.transport_message = "cancelled";
  Finish(std::move(transfer), std::move(cancelled));
}

void CurlLoop::CancelAll() {
  std::vector<uint64_t> open;
  for (const auto& [id, transfer] : active_) open.push_back(id);
  for (const auto& transfer : waiting_) open.push_back(transfer->id);
  std::sort(open.begin(), open.end());
  for (uint64_t id : open) CancelTransfer(id);
}

void CurlLoop::RunAfter(int64_t delay_ms, std::function<void()> task) {
  timers_.emplace(NowMs() + std::max<int64_t>(delay_ms, 0), std::move(task));
}

void CurlLoop::Finish(std::unique_ptr<Transfer> transfer, HttpResponse response) {
  if (transfer->easy != nullptr) {
    Libcurl().multi_remove_handle(multi_, transfer->easy);
    Libcurl().easy_reset(transfer->easy);  // drops its pointers into `transfer` before that goes
    idle_handles_.push_back(transfer->easy);
  }
  TransferDone done = std::move(transfer->done);
  transfer.reset();
  done(std::move(response));
}

}  // namespace stratacache::curl
