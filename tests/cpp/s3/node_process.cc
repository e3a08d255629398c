#include "node_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <vector>

extern char** environ;

namespace stratacache::s3::testing {

std::unique_ptr<NodeProcess> NodeProcess::Start(const std::string& script, const std::vector<std::string>& args,
                                                std::string* error) {
  signal(SIGPIPE, SIG_IGN);  // a helper that died must fail a test, not kill the test binary
  int to_child[2], from_child[2];
  // Close-on-exec, so that no other helper inherits these ends and keeps a pipe open past its owner.
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
    *error = "pipe() failed";
    return nullptr;
  }
  const char* node_path = std::getenv("STRATA_NODE_PATH");
  std::vector<std::string> env_strings = {std::string("NODE_PATH=") + (node_path ? node_path : STRATA_NODE_PATH)};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("NODE_PATH=")) continue;
    env_strings.emplace_back(*entry);
  }
  std::vector<char*> env;
  for (std::string& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  const std::string script_path = std::string(STRATA_S3_FIXTURES_DIR) + "/" + script;
  // s3rver 3.7 makes continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider: without it
  // every truncated listing fails with InternalError.
  std::vector<std::string> words = {"node", "--no-warnings", "--openssl-legacy-provider", script_path};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  if (spawned != 0) {
    close(to_child[1]);
    close(from_child[0]);
    *error = "could not run node";
    return nullptr;
  }
  std::unique_ptr<NodeProcess> process(new NodeProcess(pid, to_child[1], from_child[0]));
  std::optional<std::string> hello = process->ReadLine(30'000);
  if (!hello) {
    *error = script + " did not start (is node installed, and are its npm packages on STRATA_NODE_PATH?)";
    return nullptr;
  }
  process->hello_ = nlohmann::json::parse(*hello, nullptr, false);
  return process;
}

NodeProcess::~NodeProcess() { Reap(false); }

void NodeProcess::Kill() { Reap(true); }

void NodeProcess::Reap(bool kill_first) {
  if (pid_ <= 0) return;
  if (kill_first) kill(pid_, SIGKILL);
  close(to_child_);  // the helper exits when its stdin closes
  close(from_child_);
  // Give it a few seconds to clean up, then insist.
  for (int waited_ms = 0; waitpid(pid_, nullptr, WNOHANG) == 0; waited_ms += 10) {
    if (waited_ms == 5000) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    usleep(10'000);
  }
  pid_ = -1;
}

std::optional<std::string> NodeProcess::ReadLine(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (size_t newline = pending_.find('\n'); newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd fd{from_child_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[65536];
    const ssize_t size = read(from_child_, buffer, sizeof(buffer));
    if (size <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<size_t>(size));
  }
}

nlohmann::json NodeProcess::Command(const std::string& line) {
  const std::string text = line + "\n";
  if (write(to_child_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return {{"error", "the helper is gone"}};
  }
  std::optional<std::string> answer = ReadLine(60'000);
  if (!answer) return {{"error", "no answer from the helper"}};
  return nlohmann::json::parse(*answer, nullptr, false);
}

}  // namespace stratacache::s3::testing
