#include "geometry/atomic_write.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace nfs {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
  throw std::runtime_error(path + ": " + what + " (" + std::strerror(error) + ")");
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp.XXXXXX";  // unique per writer: concurrent writers never share one
  const int fd = mkstemp(tmp.data());
  if (fd < 0) fail(path, "cannot create the file (is the folder there and writable?)", errno);
  fchmod(fd, 0644);  // mkstemp makes the file private; results are ordinary files
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : ENOSPC;
      ::close(fd);
      std::remove(tmp.c_str());
      fail(path, "write failed (disk full?)", e);
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail(path, "write failed (disk full?)", e);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail(path, "cannot replace the file", e);
  }
}

}  // namespace nfs
