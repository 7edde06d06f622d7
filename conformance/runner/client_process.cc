#include "conformance/runner/client_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

extern char** environ;

namespace atws::conformance::clientcheck {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool IsExecutable(const std::string& path) {
  struct stat st;
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

void KeepTail(std::string* buf, size_t limit) {
  if (buf->size() > limit) buf->erase(0, buf->size() - limit);
}

// argv as the char* array execv wants (the strings must outlive it).
std::vector<char*> CArgs(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted = true; }

}  // namespace

std::string FindMockBinary(const std::string& override_path, std::string* error) {
  if (!override_path.empty()) {
    if (IsExecutable(override_path)) return override_path;
    *error = fmt::format("--mock-binary {}: not an executable file", override_path);
    return {};
  }
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir = dir.substr(0, dir.find_last_of('/'));
    std::string candidate = dir + "/atws-mock";
    if (IsExecutable(candidate)) return candidate;
  }
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty() && IsExecutable(dir + "/atws-mock")) return dir + "/atws-mock";
    start = end + 1;
  }
  *error =
      "atws-mock not found beside atws-conformance nor on PATH; use --mock-binary PATH or "
      "--mock http://HOST:PORT";
  return {};
}

struct MockProcess::State {
  std::mutex mu;
  std::condition_variable cv;
  std::string output;  // tail
  std::string listening;
  bool eof = false;
  std::thread reader;
  int fd = -1;
};

MockProcess::MockProcess() : state_(std::make_shared<State>()) {}

MockProcess::~MockProcess() {
  std::string ignored;
  if (pid_ > 0) Stop(&ignored);
  if (state_->reader.joinable()) state_->reader.join();
}

bool MockProcess::Start(const std::string& binary, const std::vector<std::string>& extra_args,
                        double timeout_seconds, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = fmt::format("pipe: {}", std::strerror(errno));
    return false;
  }
  std::vector<std::string> args = {binary, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv = CArgs(args);
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    if (devnull >= 0) ::close(devnull);
    return false;
  }
  if (pid == 0) {
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execv(binary.c_str(), argv.data());
    const char msg[] = "check-client: could not run atws-mock\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  if (devnull >= 0) ::close(devnull);
  ::close(fds[1]);
  pid_ = pid;
  state_->fd = fds[0];
  auto st = state_;
  st->reader = std::thread([st] {
    static const std::regex re(R"(listening on (http://[^\s/]+))");
    char buf[4096];
    std::string line;
    for (;;) {
      ssize_t n = ::read(st->fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard<std::mutex> l(st->mu);
      st->output.append(buf, static_cast<size_t>(n));
      if (st->listening.empty()) {
        std::smatch m;
        if (std::regex_search(st->output, m, re)) st->listening = m[1].str();
      }
      KeepTail(&st->output, 16 * 1024);
      st->cv.notify_all();
    }
    ::close(st->fd);
    std::lock_guard<std::mutex> l(st->mu);
    st->eof = true;
    st->cv.notify_all();
  });
  std::unique_lock<std::mutex> l(state_->mu);
  bool ready = state_->cv.wait_for(
      l, std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000)),
      [&] { return !state_->listening.empty() || state_->eof; });
  if (!ready || state_->listening.empty()) {
    std::string tail = state_->output;
    l.unlock();
    std::string ignored;
    Stop(&ignored);
    *error = fmt::format("{} printed no 'listening on http://HOST:PORT' line{}; its output:\n{}",
                         binary, ready ? " before it exited" : " in time", tail);
    return false;
  }
  base_url_ = state_->listening;
  return true;
}

bool MockProcess::Stop(std::string* error) {
  if (pid_ <= 0) return true;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = false;
  auto start = Clock::now();
  while (Since(start) < 10) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    *error = "atws-mock did not stop within 10 s of SIGTERM; killed";
  }
  pid_ = -1;
  if (state_->reader.joinable()) state_->reader.join();
  if (!exited) return false;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = WIFEXITED(status) ? fmt::format("atws-mock exited with status {}", WEXITSTATUS(status))
                               : fmt::format("atws-mock ended by signal {}", WTERMSIG(status));
    return false;
  }
  return true;
}

std::string MockProcess::OutputTail() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->output;
}

std::string CommandResult::Describe() const {
  if (!started) return "could not start (" + error + ")";
  if (timed_out) return "timed out (killed)";
  if (signal) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit status {}", exit_code);
}

CommandResult RunCommand(const std::vector<std::string>& argv_in,
                         const std::vector<std::pair<std::string, std::string>>& env,
                         double timeout_seconds, bool quiet) {
  CommandResult res;
  if (argv_in.empty()) {
    res.error = "no command given";
    return res;
  }
  // Environment: this process's, with `env` replacing or adding variables.
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& [k, v] : env)
      if (k == name) replaced = true;
    if (!replaced) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = CArgs(args);
  std::vector<char*> envp = CArgs(envs);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    res.error = fmt::format("pipe: {}", std::strerror(errno));
    return res;
  }
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // A pipe to learn whether exec failed (closed on a successful exec).
  int errfds[2];
  if (::pipe2(errfds, O_CLOEXEC) != 0) {
    res.error = fmt::format("pipe: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return res;
  }
  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    res.error = fmt::format("fork: {}", std::strerror(errno));
    for (int fd : {fds[0], fds[1], errfds[0], errfds[1], devnull})
      if (fd >= 0) ::close(fd);
    return res;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!::write(errfds[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before we might signal it
  ::close(fds[1]);
  ::close(errfds[1]);
  if (devnull >= 0) ::close(devnull);
  int exec_errno = 0;
  if (::read(errfds[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
    ::close(errfds[0]);
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    res.error = fmt::format("{}: {}", argv_in[0], std::strerror(exec_errno));
    return res;
  }
  ::close(errfds[0]);
  res.started = true;

  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  g_interrupted = false;
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);

  const size_t kTail = 64 * 1024;
  bool reaped = false, pipe_open = true;
  int status = 0;
  double kill_sent_at = -1;
  double exited_at = -1;
  char buf[8192];
  while (true) {
    if (pipe_open) {
      pollfd p{fds[0], POLLIN, 0};
      int r = ::poll(&p, 1, 100);
      if (r > 0) {
        ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n > 0) {
          res.output_tail.append(buf, static_cast<size_t>(n));
          KeepTail(&res.output_tail, kTail);
          if (!quiet) std::cerr.write(buf, n).flush();
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          pipe_open = false;
        }
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!reaped) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        reaped = true;
        exited_at = Since(start);
        res.seconds = exited_at;
      }
    }
    double now = Since(start);
    if (reaped && !pipe_open) break;
    // Something it started still holds the pipe: give it a second, then end the group.
    if (reaped && pipe_open && now - exited_at > 1.0) {
      ::kill(-pid, SIGKILL);
      if (now - exited_at > 2.0) break;
    }
    if (!reaped && kill_sent_at < 0 && (now > timeout_seconds || g_interrupted)) {
      res.timed_out = !g_interrupted;
      if (g_interrupted) res.error = "interrupted";
      ::kill(-pid, SIGTERM);
      kill_sent_at = now;
    }
    if (!reaped && kill_sent_at >= 0 && now - kill_sent_at > 5) ::kill(-pid, SIGKILL);
  }
  ::close(fds[0]);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
  if (g_interrupted && !res.timed_out) res.error = "interrupted";
  return res;
}

}  // namespace atws::conformance::clientcheck
