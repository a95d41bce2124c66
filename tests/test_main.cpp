// The Catch2 main. Operator caches of the meshes the tests build go to one folder under the
// system temp folder, shared by the suite's processes (entries are written atomically), not to
// the user's ~/.cache/nfs: tests write only under the temp folder.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

int main(int argc, char** argv) {
  if (!std::getenv("NFS_CACHE_DIR")) {
    const std::string dir = (std::filesystem::temp_directory_path() / "nfs_test_operator_cache").string();
    setenv("NFS_CACHE_DIR", dir.c_str(), 1);
  }
  return Catch::Session().run(argc, argv);
}
