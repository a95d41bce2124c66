#!/usr/bin/env bash
# Installs the dependencies, builds everything (CUDA code too when nvcc is present) and runs the
# whole test suite. GPU cases are skipped, and listed by name, on a machine without a CUDA device.
#   bash tools/run_tests.sh              the suite (CI)
#   bash tools/run_tests.sh --sanitize   the same suite built with AddressSanitizer +
#                                        UndefinedBehaviorSanitizer in build-sanitize/ (CPU code;
#                                        docs/RELIABILITY.md says how long it takes)
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
[ "${1:-}" = "--sanitize" ] && sanitize=1
bash tools/install_deps.sh
# Tests write only under the temp folder: the checkout must look the same after the suite.
checkout_state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }
before="$(checkout_state)"
if [ $sanitize = 1 ]; then
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFS_WITH_CUDA=OFF -DNFS_SANITIZE=address,undefined
  cmake --build build-sanitize -j "$(nproc)"
  # Leaks are errors too. The install test links a consumer without the sanitizer runtime: skipped.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-sanitize --output-on-failure -j "$(nproc)" -E install_and_find_package
else
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
  cmake --build build -j "$(nproc)"
  ctest --test-dir build --output-on-failure -j "$(nproc)"
fi
after="$(checkout_state)"
if [ "$before" != "$after" ]; then
  echo "run_tests.sh: the test run changed the checkout (tests must write under a temp folder):" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
