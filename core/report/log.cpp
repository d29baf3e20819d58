// Where printed reports go: MachineOptions::log_path, the sanitizers'
// convention. "" and "stderr": stderr; "stdout": stdout; any other PATH: the
// file PATH.<pid>, opened for appending at the first report and then kept open
// for the process (one per path, shared by every machine that names it, as one
// sanitizer log serves one process). A forked child opens its own PATH.<pid>.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#ifdef _WIN32
#include <process.h>
#define DDIMAP_GETPID _getpid
#else
#include <unistd.h>
#define DDIMAP_GETPID getpid
#endif

#include "machine/state.hpp"

namespace ddimap {
namespace {

struct LogFile {
  std::string path;  // as given, without the .<pid>
  long pid;
  std::FILE* file;   // nullptr: could not be opened (reports go to stderr)
};

std::mutex g_mutex;
std::vector<LogFile>* g_logs = nullptr;  // never freed: reports may be printed from atexit handlers

std::FILE* Open(const std::string& path) {
  const long pid = static_cast<long>(DDIMAP_GETPID());
  if (g_logs == nullptr) g_logs = new std::vector<LogFile>();
  for (const LogFile& l : *g_logs)
    if (l.path == path && l.pid == pid) return l.file;
  const std::string name = path + "." + std::to_string(pid);
  std::FILE* f = std::fopen(name.c_str(), "a");
  if (f == nullptr)
    std::fprintf(stderr, "ddimap: log_path: cannot open '%s': %s; reports go to stderr\n", name.c_str(),
                 std::strerror(errno));
  g_logs->push_back({path, pid, f});
  return f;
}

}  // namespace

void WriteReportLog(const std::string& log_path, std::string_view text) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::FILE* out = stderr;
  if (log_path == "stdout") {
    out = stdout;
  } else if (!log_path.empty() && log_path != "stderr") {
    if (std::FILE* f = Open(log_path)) out = f;
  }
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

}  // namespace ddimap
