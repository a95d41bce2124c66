// Every file the engine writes goes through here: a unique temporary file beside the target
// (mkstemp), written, flushed and closed with every error checked, then renamed over the target.
// A reader — another process, or a second nfs_infer preparing the same cache entry — sees the
// old file or the whole new one, never a part; a full disk or an unwritable folder leaves nothing.
#pragma once
#include <string>

namespace nfs {

// Throws std::runtime_error("<path>: <problem> (<strerror>)") when the folder is missing or not
// writable, the disk is full, or the rename fails; the temporary file is removed first.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace nfs
