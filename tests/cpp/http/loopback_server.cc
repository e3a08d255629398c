#include "loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace stratacache::http::testing {

namespace {

int BoundSocket(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return fd;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 302:
      return "Found";
    case 404:
      return "Not Found";
    default:
      return "Status";
  }
}

}  // namespace

LoopbackServer::LoopbackServer() {
  listener_ = BoundSocket(&port_);
  listen(listener_, 64);
  thread_ = std::thread([this] { Run(); });
}

LoopbackServer::~LoopbackServer() {
  stopping_ = true;
  thread_.join();
  close(listener_);
  for (int connection : parked_) close(connection);
}

void LoopbackServer::Serve(const std::string& path, CannedReply reply) {
  std::lock_guard lock(mu_);
  replies_[path] = std::move(reply);
}

void LoopbackServer::Stall(const std::string& path) {
  std::lock_guard lock(mu_);
  stalled_.push_back(path);
}

std::vector<SeenRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void LoopbackServer::Run() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (poll(&waiting, 1, 20) <= 0) continue;
    const int connection = accept(listener_, nullptr, nullptr);
    if (connection >= 0) Answer(connection);
  }
}

void LoopbackServer::Answer(int connection) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const ssize_t got = read(connection, buffer, sizeof(buffer));
    if (got <= 0) break;
    request.append(buffer, static_cast<size_t>(got));
  }
  const size_t line_end = request.find("\r\n");
  SeenRequest seen{request.substr(0, line_end), request.substr(line_end + 2)};
  std::transform(seen.headers.begin(), seen.headers.end(), seen.headers.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t path_start = seen.line.find(' ') + 1;
  const std::string path = seen.line.substr(path_start, seen.line.find(' ', path_start) - path_start);
  const bool head = seen.line.starts_with("HEAD ");

  CannedReply reply{404, "", ""};
  {
    std::lock_guard lock(mu_);
    requests_.push_back(seen);
    if (std::find(stalled_.begin(), stalled_.end(), path) != stalled_.end()) {
      parked_.push_back(connection);
      return;
    }
    if (auto found = replies_.find(path); found != replies_.end()) reply = found->second;
  }
  std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
                         "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n";
  if (!reply.location.empty()) response += "Location: " + reply.location + "\r\n";
  response += "\r\n";
  if (!head) response += reply.body;
  (void)!write(connection, response.data(), response.size());
  close(connection);
}

int ClosedPort() {
  int port = 0;
  close(BoundSocket(&port));
  return port;
}

}  // namespace stratacache::http::testing
