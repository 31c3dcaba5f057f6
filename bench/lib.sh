# bench/lib.sh — what the benchmark scripts share. Source it after setting
# root (the repository) and build (the CMake build directory, build-bench).

say() { printf '%s\n' "$*"; }
note() { printf 'bench: %s\n' "$*" >&2; }

# build_harness NAME OUT: the project (Release, -O2) in $build, then
# bench/NAME/NAME_bench.c against libshroud.a into OUT/NAME_bench.
build_harness() {
  local name=$1 out=$2
  note "building $build (Release, -O2) and $out/${name}_bench"
  mkdir -p "$out"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSHROUD_TESTS=OFF \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >"$build/cmake.log" 2>&1 ||
    { cat "$build/cmake.log" >&2; exit 1; }
  cmake --build "$build" -j"$(nproc)" --target shroud_static shroud_cli >"$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; exit 1; }
  local cflags libs
  read -ra cflags <<<"$(pkg-config --cflags libpng16 libjpeg)"
  read -ra libs <<<"$(pkg-config --libs libcrypto libpng16 libjpeg libdeflate)"
  gcc -std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror -D_POSIX_C_SOURCE=200809L \
    -I"$root/include" -I"$root/src" "${cflags[@]}" "$root/bench/$name/${name}_bench.c" \
    "$build/libshroud.a" "${libs[@]}" -o "$out/${name}_bench"
}
