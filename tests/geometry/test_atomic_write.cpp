// write_file_atomic: the one writer of every output file. A full disk (RLIMIT_FSIZE stands in for
// it, no privileges needed) or a folder that cannot be written leaves no file and no temporary;
// concurrent writers of one path leave one writer's whole file.
#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "geometry/atomic_write.h"
#include "infer/cli.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

int files_in(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

}  // namespace

TEST_CASE("a full disk leaves neither the file nor a temporary behind", "[io]") {
  test::TempDir dir("atomic_full");
  const std::string path = dir.file("out.bin");
  rlimit old{};
  getrlimit(RLIMIT_FSIZE, &old);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // the write then fails with EFBIG
  rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string error;
  try {
    write_file_atomic(path, std::string(100000, 'x'));
  } catch (const std::exception& e) {
    error = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK_THAT(error, Catch::StartsWith(path + ": write failed"));
  CHECK(files_in(dir.path) == 0);
  // An existing file stays as it was.
  write_file_atomic(path, "old");
  setrlimit(RLIMIT_FSIZE, &small);
  std::signal(SIGXFSZ, SIG_IGN);
  CHECK_THROWS(write_file_atomic(path, std::string(100000, 'y')));
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  CHECK(read_text_file(path) == "old");
  CHECK(files_in(dir.path) == 1);
}

TEST_CASE("an unwritable folder is one clear line", "[io]") {
  // /proc refuses new files even to root, unlike a chmod'ed folder.
  CHECK_THROWS_WITH(write_file_atomic("/proc/nfs_out.glb", "x"),
                    Catch::StartsWith("/proc/nfs_out.glb: cannot create the file"));
  CHECK_THROWS_WITH(write_file_atomic("/nonexistent_dir/out.obj", "x"),
                    Catch::Contains("No such file or directory"));
}

TEST_CASE("concurrent writers of one path leave one writer's whole file", "[io]") {
  test::TempDir dir("atomic_race");
  const std::string path = dir.file("entry.bin");
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { write_file_atomic(path, std::string(200000, char('a' + i))); });
  for (std::thread& t : threads) t.join();
  const std::string s = read_text_file(path);
  REQUIRE(s.size() == 200000);
  CHECK(s.find_first_not_of(s[0]) == std::string::npos);
  CHECK(files_in(dir.path) == 1);
}
