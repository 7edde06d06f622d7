// Child processes for check-client: the atws-mock it starts, and the client command it judges.
// POSIX only (fork/exec, process groups, poll). A MockProcess owns its child and stops it when
// destroyed; use it from one thread. RunCommand blocks until the command ends or times out.
// Failures come back as false with *error set, or in CommandResult.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace atws::conformance::clientcheck {

// `override` when given (it must be executable), else `atws-mock` in the directory of this
// executable (/proc/self/exe), else on PATH. Empty with *error set when none is found.
std::string FindMockBinary(const std::string& override_path, std::string* error);

// An atws-mock child listening on 127.0.0.1 on a free port.
class MockProcess {
 public:
  MockProcess();
  ~MockProcess();  // stops the mock if it still runs
  MockProcess(const MockProcess&) = delete;
  MockProcess& operator=(const MockProcess&) = delete;

  // Runs `binary --listen 127.0.0.1:0 extra_args...` and waits (at most `timeout_seconds`)
  // for its "listening on http://HOST:PORT" line.
  bool Start(const std::string& binary, const std::vector<std::string>& extra_args,
             double timeout_seconds, std::string* error);
  // "http://127.0.0.1:PORT" once started.
  const std::string& base_url() const { return base_url_; }
  // SIGTERM, up to 10 s for it to end, then SIGKILL. True when it exited with status 0.
  bool Stop(std::string* error);
  // The last lines the mock wrote (stdout and stderr), for error messages.
  std::string OutputTail() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  int pid_ = -1;
  std::string base_url_;
};

struct CommandResult {
  bool started = false;    // false: it could not be run (see error)
  int exit_code = -1;      // the exit status when it exited
  int signal = 0;          // the signal that ended it, if any
  bool timed_out = false;  // killed after the timeout
  double seconds = 0;
  std::string error;
  std::string output_tail;  // the last 64 KiB of its stdout and stderr
  bool Succeeded() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  std::string Describe() const;  // "exit status 0", "killed by signal 9", "timed out after 600 s"
};

// Runs `argv` (argv[0] looked up on PATH) with `env` added to this process's environment, in a
// process group of its own. Its stdout and stderr go through a pipe: copied to this process's
// stderr unless `quiet`, and kept (tail) in the result. After `timeout_seconds` the group gets
// SIGTERM, 5 s later SIGKILL.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::pair<std::string, std::string>>& env,
                         double timeout_seconds, bool quiet);

}  // namespace atws::conformance::clientcheck
