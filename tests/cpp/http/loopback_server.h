// A small HTTP/1.1 server on 127.0.0.1 for the http() store's tests, on a thread of its own: it answers each
// request from a table of path -> reply (404 for other paths), one request per connection, and never answers
// the paths it is told to stall. It keeps every request line and its headers.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace stratacache::http::testing {

struct CannedReply {
  int status = 200;
  std::string body{};
  std::string location{};  // a Location header, for redirects
};

struct SeenRequest {
  std::string line;     // "GET /path HTTP/1.1"
  std::string headers;  // as sent, lowercased
};

class LoopbackServer {
 public:
  LoopbackServer();
  ~LoopbackServer();

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Serve(const std::string& path, CannedReply reply);
  void Stall(const std::string& path);
  std::vector<SeenRequest> requests() const;

 private:
  void Run();
  void Answer(int connection);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::map<std::string, CannedReply> replies_;
  std::vector<std::string> stalled_;
  std::vector<int> parked_;  // stalled connections, closed at the end
  std::vector<SeenRequest> requests_;
  std::thread thread_;
};

// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
int ClosedPort();

}  // namespace stratacache::http::testing
