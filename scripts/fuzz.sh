#!/usr/bin/env bash
# Build the libFuzzer targets of fuzz/ with clang into build-fuzz/ (the `fuzz` preset) and run
# each for a bounded time; print the executions per target. Installs clang first
# (DNMF_WITH_FUZZ=1 scripts/install-deps.sh).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]
#   SECONDS_PER_TARGET  default $DNMF_FUZZ_SECONDS or 60
#   TARGET              config_parser, hdf5_file, hdf5_structured (default: all)
# Inputs the fuzzers find interesting go to build-fuzz/fuzz-work/corpus/<target>/ (kept between
# runs); a failing input is saved in build-fuzz/fuzz-work/artifacts/<target>/, and the script
# exits non-zero naming it. Keep it as fuzz/regressions/<target>/<name> (see fuzz/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${DNMF_FUZZ_SECONDS:-60}}
shift || true

DNMF_WITH_FUZZ=1 DNMF_WITH_DATASET=0 DNMF_WITH_SLURM=0 "$root/scripts/install-deps.sh"
build="$root/build-fuzz"
start=$(date +%s)
(cd "$root" && cmake --preset fuzz >/dev/null &&
   cmake --build --preset fuzz -j "${DNMF_JOBS:-$(nproc)}" --target dnmf_fuzzers >/dev/null)
echo "fuzz: built in $(( $(date +%s) - start )) s"

# shellcheck source=/dev/null
source "$build/fuzz-env.sh"  # ASAN/LSAN/UBSAN_OPTIONS of cmake/DnmfSanitizers.cmake, DNMF_FUZZ_TARGETS
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<< "$DNMF_FUZZ_TARGETS"

work="$build/fuzz-work"
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  seeds=("$root/fuzz/corpus/$t")
  [ -d "$root/fuzz/regressions/$t" ] && seeds+=("$root/fuzz/regressions/$t")
  [ -d "$root/fuzz/regressions/$t/open" ] && seeds+=("$root/fuzz/regressions/$t/open")
  log="$work/$t.log"
  rc=0
  # -timeout: one input running longer is a hang; -rss_limit_mb: MPI and HDF5 need some room.
  "$build/bin/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed+=("$t")
    grep -E "PROPERTY VIOLATED|ERROR:|runtime error|SUMMARY|Test unit written|^Base64:" "$log" | head -10 || true
  fi
  summary+=("$(printf '%-16s %5s s %9s executions %7s exec/s   %s' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "$result")")
done

echo "fuzz: $(( $(date +%s) - start )) s in all; logs in $work/"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failing inputs of ${failed[*]} are in $work/artifacts/; reproduce with"
  echo "  $build/bin/fuzz_<target> <input>   and keep each as fuzz/regressions/<target>/<name>"
  exit 1
fi
