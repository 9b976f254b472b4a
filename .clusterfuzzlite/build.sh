#!/bin/bash -eu
# Builds every fuzz target with the flags ClusterFuzzLite / OSS-Fuzz chose ($CXXFLAGS carries the
# sanitizer and coverage flags for the libraries; MH_FUZZ links each target with libFuzzer, the
# engine ClusterFuzzLite uses by default), then copies each target with its dictionary, options
# and seed corpus (zipped, as the runners expect) into $OUT.
cmake -S . -B build-cfl -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DMH_FUZZ=ON -DMH_WERROR=OFF \
  -DMH_BUILD_TESTS=OFF -DMH_BUILD_BENCH=OFF
targets=$(sed -n 's/^ *mh_add_fuzzer(\(fuzz_[a-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)
cmake --build build-cfl --target $targets
for target in $targets; do
  cp "build-cfl/fuzz/$target" "$OUT/"
  cp "fuzz/$target.dict" "fuzz/$target.options" "$OUT/" 2>/dev/null || true
  if [ -d "corpus/$target" ]; then
    (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
done
