#!/usr/bin/env bash
# bench/server/run.sh — the server benchmark: wrk against `shroud serve` and
# against nginx serving the same stored image files over TLS with the same
# certificate, in one run.
#
#   bench/server/run.sh        # or: make bench
#
# Builds build-bench-server/ (CMake Release, -O2, no tests; only the shroud
# command), then:
#   1. starts `shroud serve` on a free port of 127.0.0.1 with a fresh data
#      directory (its self-signed certificate is made in DATA/tls/), registers
#      a user with a key from `shroud keygen`, logs in, and uploads 49 small
#      signed JPEGs and one signed JPEG of exactly 1 MiB (bench/server/
#      make_images.py, from the test photos): the gallery holds 50 images;
#   2. starts nginx (a throwaway configuration in the run's temporary
#      directory, not the system's) with the same certificate and key,
#      serving DATA/images/ at the same path, /images/ID, and a static copy of
#      shroud's gallery JSON at /api/images;
#   3. runs wrk (--latency for p99) against both, one after the other:
#      downloads of the 1 MiB image, the gallery JSON
#      (/api/images?per_page=50), then uploads of 2 MiB signed JPEGs to shroud
#      (bench/server/upload.lua: every request a different pre-signed file);
#   4. prints a table of requests/s, p99 and the ratio shroud/nginx, the
#      errors of every run (wrk's and the servers' own), and the goals.
# A benchmark, not a test: it exits 0 whenever the measurements ran, goals
# met or not. Everything it starts is stopped, and its temporary directory
# removed, on exit.
#
# Environment: BENCH_SECONDS (each wrk run, default 30), BENCH_CONNECTIONS
# (default 64), BENCH_THREADS (wrk's threads, shroud's --threads and nginx's
# worker_processes; default nproc), BENCH_TIMEOUT (wrk --timeout, default
# 30s: wrk leaves slower requests out of its latency histogram and counts
# them as timeouts), BENCH_UPLOAD_FILES (distinct signed 2 MiB files for the
# upload run, default 80 per second of run), BENCH_ROUNDS (rounds of the
# download and gallery runs, interleaved, default 1), BENCH_TESTDATA (default
# ../shared/testdata; synthetic stand-ins are made when photos are missing),
# BENCH_SHROUD (a shroud binary to measure instead of building one, e.g. to
# try a change).
set -euo pipefail

t_start=$(date +%s)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build-bench-server
out=$build/server
testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
seconds=${BENCH_SECONDS:-30}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-$(nproc)}
timeout=${BENCH_TIMEOUT:-30s}
upload_files=${BENCH_UPLOAD_FILES:-$((80 * seconds))}
rounds=${BENCH_ROUNDS:-1}
per_page=50
gallery_others=49 # + the 1 MiB image = 50 images, one full page
py=/usr/bin/python3 # by exact path: Debian's, with python3-pil
here=$root/bench/server
mib=1048576

. "$root/bench/lib.sh"

# ---- tools ----
missing=()
for tool in wrk nginx curl openssl cmake; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
"$py" -c 'import PIL' 2>/dev/null || missing+=("python3-pil")
if [ ${#missing[@]} -gt 0 ]; then
  note "missing: ${missing[*]}: run scripts/install-deps"
  exit 1
fi

# ---- build ----
mkdir -p "$out"
shroud_bin=${BENCH_SHROUD:-}
if [ -n "$shroud_bin" ]; then # a given build (e.g. to try a change)
  cli=$shroud_bin
  [ -x "$cli" ] || { note "BENCH_SHROUD=$cli is not an executable"; exit 1; }
else
  note "building $build (Release, -O2): the shroud command"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSHROUD_TESTS=OFF \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >"$out/cmake.log" 2>&1 ||
    { cat "$out/cmake.log" >&2; exit 1; }
  cmake --build "$build" -j"$(nproc)" --target shroud_cli >"$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; exit 1; }
  cli=$build/shroud
fi

# ---- the run's directory, and stopping everything on exit ----
need_kib=$(((upload_files * 2 * 2 + 200) * 1024)) # the files, the server's copies, the rest
free_kib=$(df -Pk "$out" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$need_kib" ]; then
  note "$((need_kib / 1024)) MiB needed in $out for $upload_files upload files, $((free_kib / 1024)) MiB free:" \
    "set BENCH_UPLOAD_FILES lower"
  exit 1
fi
tmp=$(mktemp -d "$out/run.XXXXXX")
shroud_pid=
nginx_pid=
stop_pid() { # stop_pid PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$nginx_pid"
  stop_pid "$shroud_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data=$tmp/data
srv_out=$out/shroud.stdout # its access log: kept after the run, with wrk's outputs
srv_err=$out/shroud.stderr
ngx=$tmp/nginx
mkdir -p "$ngx/www" "$tmp/gal" "$tmp/up.unsigned" "$tmp/up"
rm -f "$out"/*.wrk "$out"/*.err "$out"/shroud.*

# ---- shroud serve ----
note "starting shroud serve (threads: $threads)"
"$cli" serve --listen 127.0.0.1:0 --data "$data" --threads "$threads" >"$srv_out" 2>"$srv_err" &
shroud_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$srv_out" 2>/dev/null && break
  kill -0 "$shroud_pid" 2>/dev/null || break
  sleep 0.1
done
shroud_port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$srv_out")
[ -n "$shroud_port" ] || { note "shroud serve did not start:"; cat "$srv_err" >&2; exit 1; }
shroud_url=https://127.0.0.1:$shroud_port
api() { curl -sS -k --max-time 60 "$@"; }

"$cli" keygen -o "$tmp/id.key" >"$tmp/id.pub" 2>/dev/null
password='bench server password 1'
"$py" -c 'import json, sys
print(json.dumps({"username": "bench", "password": sys.argv[1],
                  "public_key": open(sys.argv[2]).read()}))' "$password" "$tmp/id.pub" >"$tmp/register.json"
api -H 'Content-Type: application/json' --data-binary @"$tmp/register.json" \
  -o /dev/null "$shroud_url/api/register"
token=$(api -H 'Content-Type: application/json' \
  --data-binary "{\"username\": \"bench\", \"password\": \"$password\"}" "$shroud_url/api/login" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
  { note "cannot log in to shroud serve"; exit 1; }

# ---- images ----
photos=()
for p in astronaut.png chelsea.png coffee.png motorcycle_left.png camera.png rocket.jpg \
  hubble_deep_field.jpg; do
  [ -r "$testdata/$p" ] && photos+=("$testdata/$p")
done
big_photo=$testdata/photo2160.png
stand_in=""
if [ ! -r "$big_photo" ]; then
  big_photo=$tmp/synth.png
  "$py" "$here/make_images.py" synth "$big_photo" 3840 2160 >/dev/null
  stand_in="$testdata/photo2160.png missing: a synthetic stand-in"
fi
[ ${#photos[@]} -gt 0 ] || { photos=("$big_photo"); stand_in="${stand_in:-test photos missing}; gallery from the stand-in"; }

note "making and signing the images: $gallery_others small, one of 1 MiB, $upload_files of 2 MiB"
"$py" "$here/make_images.py" gallery "$tmp/gal" "$gallery_others" "${photos[@]}" >/dev/null
sign() { "$cli" sign -i "$tmp/id.key" -o "$2" "$1" 2>/dev/null; }
for f in "$tmp"/gal/gal-*.jpg; do
  sign "$f" "${f%.jpg}.signed.jpg" || { note "shroud sign failed on $f"; exit 1; }
done
# the bytes a signature adds (the same for every file): so the signed files
# come out at exactly 1 MiB and 2 MiB
sig_bytes=$(($(stat -c %s "$tmp/gal/gal-000.signed.jpg") - $(stat -c %s "$tmp/gal/gal-000.jpg")))
"$py" "$here/make_images.py" sized "$big_photo" $((mib - sig_bytes)) "$tmp/one.jpg" >"$tmp/one.txt"
sign "$tmp/one.jpg" "$tmp/one.signed.jpg" || { note "shroud sign failed on $tmp/one.jpg"; exit 1; }
"$py" "$here/make_images.py" sized "$big_photo" $((2 * mib - sig_bytes)) "$tmp/two.jpg" >"$tmp/two.txt"
"$py" "$here/make_images.py" copies "$tmp/two.jpg" "$tmp/up.unsigned" "$upload_files" >/dev/null
(cd "$tmp/up.unsigned" && ls) | xargs -P "$(nproc)" -I{} "$cli" sign -i "$tmp/id.key" \
  -o "$tmp/up/{}" "$tmp/up.unsigned/{}" 2>/dev/null
rm -rf "$tmp/up.unsigned"
n_signed=$(find "$tmp/up" -name 'up-*.jpg' | wc -l)
[ "$n_signed" = "$upload_files" ] || { note "signed $n_signed of $upload_files upload files"; exit 1; }
up_size=$(stat -c %s "$tmp/up/up-00000.jpg")
read -r _ one_w one_h _ <"$tmp/one.txt"
read -r _ two_w two_h _ <"$tmp/two.txt"

upload() { # upload FILE: prints the HTTP status
  api -o "$tmp/upload.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: image/jpeg' --data-binary @"$1" "$shroud_url/api/images"
}
for f in "$tmp"/gal/gal-*.signed.jpg "$tmp/one.signed.jpg"; do
  st=$(upload "$f")
  [ "$st" = 201 ] || { note "uploading $f: status $st: $(cat "$tmp/upload.json")"; exit 1; }
done
one_id=$(sha256sum "$tmp/one.signed.jpg" | cut -c1-64)
one_size=$(stat -c %s "$tmp/one.signed.jpg")
dl_path=/images/$one_id
gallery_path="/api/images?per_page=$per_page"
api -o "$ngx/www/gallery.json" "$shroud_url$gallery_path"
gallery_n=$("$py" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["images"]))' \
  "$ngx/www/gallery.json")
gallery_bytes=$(stat -c %s "$ngx/www/gallery.json")
[ "$gallery_n" = $((gallery_others + 1)) ] ||
  { note "the gallery lists $gallery_n images, not $((gallery_others + 1))"; exit 1; }

# ---- nginx ----
nginx_port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$ngx/logs" "$ngx/temp"
{
  [ "$(id -u)" = 0 ] && echo "user root;  # the data directory is root's, mode 0700"
  cat <<EOF
worker_processes $threads;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $ngx/logs/access.log;  # one line per request, as shroud's access log
  client_body_temp_path $ngx/temp/body;
  proxy_temp_path $ngx/temp/proxy;
  fastcgi_temp_path $ngx/temp/fastcgi;
  uwsgi_temp_path $ngx/temp/uwsgi;
  scgi_temp_path $ngx/temp/scgi;
  keepalive_requests 1000000;  # shroud does not close kept-alive connections either
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $data/tls/cert.pem;
    ssl_certificate_key $data/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;  # 1.22's default lacks TLSv1.3, which shroud speaks
    location /images/ {
      alias $data/images/;
      types { }
      default_type image/jpeg;
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location = /api/images {  # a static copy of shroud's answer
      alias $ngx/www/gallery.json;
      default_type application/json;
      add_header Cache-Control "no-store";
    }
  }
}
EOF
} >"$ngx/nginx.conf"
note "starting nginx (worker_processes $threads) on port $nginx_port"
nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" -g 'daemon off;' 2>"$ngx/logs/stderr.log" &
nginx_pid=$!
nginx_url=https://127.0.0.1:$nginx_port
for _ in $(seq 100); do
  api -o /dev/null "$nginx_url/api/images" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$nginx_pid" 2>/dev/null ||
  { note "nginx did not start:"; cat "$ngx/logs/error.log" "$ngx/logs/stderr.log" >&2; exit 1; }

# ---- checks: both servers answer the same bytes ----
checks=()
for side in shroud nginx; do
  base=$shroud_url
  [ "$side" = nginx ] && base=$nginx_url
  api -o "$tmp/dl.$side" "$base$dl_path"
  cmp -s "$tmp/dl.$side" "$tmp/one.signed.jpg" && checks+=("$side download ok") ||
    checks+=("$side download DIFFERS")
  api -o "$tmp/gal.$side" "$base$gallery_path"
  cmp -s "$tmp/gal.$side" "$ngx/www/gallery.json" && checks+=("$side gallery ok") ||
    checks+=("$side gallery DIFFERS")
done
"$cli" verify -k "$tmp/id.pub" "$tmp/dl.shroud" >/dev/null 2>&1 && checks+=("signature verifies") ||
  checks+=("signature FAILS")
tls_of() { # tls_of PORT -> "TLSv1.3 TLS_AES_256_GCM_SHA384"
  openssl s_client -connect "127.0.0.1:$1" -brief </dev/null 2>&1 |
    awk -F': *' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 } END { print p, c }'
}
shroud_tls=$(tls_of "$shroud_port")
nginx_tls=$(tls_of "$nginx_port")

# ---- the runs ----
# cpu_ticks PID: user + system clock ticks of the process and its children
# (nginx's workers)
cpu_ticks() {
  local t=0 k
  for k in $1 $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
    [ -r "/proc/$k/stat" ] || continue
    t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$k/stat")))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)
declare -A R
runs=()
# run NAME SIDE URL [SCRIPT ARGS...]: one wrk run (with a Lua script and its
# arguments); keeps wrk's output in $out/NAME.wrk and the server's messages
# in $out/NAME.err; R[NAME.*] gets the numbers
run() {
  local name=$1 side=$2 url=$3 script=${4:-}
  shift 3
  [ $# -gt 0 ] && shift
  local lua=("$url")
  [ -n "$script" ] && lua=(-s "$script" "$url" -- "$@")
  local pid=$shroud_pid errors=$srv_err
  [ "$side" = nginx ] && pid=$nginx_pid errors=$ngx/logs/error.log
  local err_before log_before cpu_before cpu_after
  err_before=$(wc -l <"$errors")
  log_before=$(wc -l <"$srv_out")
  cpu_before=$(cpu_ticks "$pid")
  note "wrk: $name ($seconds s, $conns connections, $threads threads)"
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$timeout" --latency "${lua[@]}" \
    >"$out/$name.wrk" 2>&1 || note "wrk failed: $name (see $out/$name.wrk)"
  cpu_after=$(cpu_ticks "$pid")
  # the server finishes what it had received when wrk stopped (uploads):
  # wait until shroud's access log stays the same for a second (at most 60 s)
  local lines=-1
  for _ in $(seq 60); do
    [ "$(wc -l <"$srv_out")" = "$lines" ] && break
    lines=$(wc -l <"$srv_out")
    sleep 1
  done
  tail -n +$((err_before + 1)) "$errors" >"$out/$name.err"
  if [ "$side" = shroud ]; then # statuses in shroud's access log, and aborted requests
    R[$name.log]=$(tail -n +$((log_before + 1)) "$srv_out" | awk '{ c[$5]++; if (/\(aborted\)/) a++ }
      END { for (k in c) printf "%s:%d ", k, c[k]; printf "aborted:%d", a }')
  fi
  R[$name.cpu]=$(awk -v a="$cpu_before" -v b="$cpu_after" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz }')
  local w=$out/$name.wrk
  R[$name.rps]=$(awk '/^Requests\/sec:/ { print $2 }' "$w")
  R[$name.mbs]=$(awk '/^Transfer\/sec:/ { v = $2; u = substr(v, length(v) - 1); n = v + 0
    m = (u == "GB") ? 1024 : (u == "MB") ? 1 : (u == "KB") ? 1 / 1024 : 1 / 1048576
    printf "%.1f", n * m }' "$w")
  R[$name.p99]=$(awk '$1 == "99%" { v = $2; n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
    printf "%.1f", n }' "$w")
  R[$name.requests]=$(awk '/requests in/ { print $1 }' "$w")
  R[$name.non2xx]=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$w")
  R[$name.non2xx]=${R[$name.non2xx]:-0}
  read -r "R[$name.connect]" "R[$name.read]" "R[$name.write]" "R[$name.timeout]" <<<"$(awk '
    /Socket errors:/ { gsub(/,/, ""); print $4, $6, $8, $10; found = 1 }
    END { if (!found) print 0, 0, 0, 0 }' "$w")"
  R[$name.errors]=$((${R[$name.non2xx]} + ${R[$name.connect]} + ${R[$name.read]} + ${R[$name.write]} + ${R[$name.timeout]}))
  [ -n "${R[$name.rps]}" ] || R[$name.errors]=wrk-failed
  R[$name.cpu_per]=$(awk -v c="${R[$name.cpu]}" -v n="${R[$name.requests]:-0}" \
    'BEGIN { if (n > 0) printf "%.2f", 1000 * c / n; else print "-" }')
  runs+=("$name")
}

images_total() { api "$shroud_url/api/images?per_page=1" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
uploads_metric() { api "$shroud_url/metrics" | awk '$1 == "shroud_uploads_total" { print $2 }'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do # interleaved: both sides of a ratio see the same conditions
  run "dl.shroud.$r" shroud "$shroud_url$dl_path"
  run "dl.nginx.$r" nginx "$nginx_url$dl_path"
  run "gal.shroud.$r" shroud "$shroud_url$gallery_path"
  run "gal.nginx.$r" nginx "$nginx_url$gallery_path"
done
total_before=$(images_total)
uploads_before=$(uploads_metric)
run up.shroud.1 shroud "$shroud_url/api/images" "$here/upload.lua" "$tmp/up" "$upload_files" \
  "$token" "$threads"
total_after=$(images_total)
uploads_after=$(uploads_metric)
up_line=$(grep '^uploads:' "$out/up.shroud.1.wrk" || true)
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
up_created=$(kv created "$up_line")
up_dup=$(kv duplicate "$up_line")
up_other=$(kv other "$up_line")
cp "$ngx/logs/error.log" "$out/nginx.error.log"

# ---- summaries over the rounds ----
median() { printf '%s\n' "$@" | awk 'NF && $1 != "-"' | sort -g | awk '{ v[NR] = $1 }
  END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
# field KIND SIDE KEY: the values of R[KIND.SIDE.r.KEY] over the rounds
field() { local r; for r in $(seq "$rounds"); do echo "${R[$1.$2.$r.$3]:-}"; done; }
# per_round_ratios KIND KEY INVERT: shroud/nginx (nginx/shroud with INVERT=1) per round
per_round_ratios() {
  local r a b
  for r in $(seq "$rounds"); do
    a=${R[$1.shroud.$r.$2]:-} b=${R[$1.nginx.$r.$2]:-}
    [ "$3" = 1 ] && { local t=$a; a=$b b=$t; }
    ratio "$a" "$b"
    echo
  done
}
declare -A M
for k in dl gal; do
  for side in shroud nginx; do
    # shellcheck disable=SC2046 # one value per line
    M[$k.$side.rps]=$(median $(field "$k" "$side" rps))
    # shellcheck disable=SC2046
    M[$k.$side.p99]=$(median $(field "$k" "$side" p99))
  done
  mapfile -t rr < <(per_round_ratios "$k" rps 0)
  M[$k.ratio]=$(median "${rr[@]}")
  M[$k.range]=$(printf '%s\n' "${rr[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }')
  mapfile -t rc < <(per_round_ratios "$k" cpu_per 1)
  M[$k.cpu_ratio]=$(median "${rc[@]}")
done
M[up.shroud.rps]=${R[up.shroud.1.rps]:-}
M[up.shroud.p99]=${R[up.shroud.1.p99]:-}

# ---- report ----
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
cell() { if [ -n "$1" ]; then printf '%s' "$1"; else printf -- '-'; fi; }
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -n "$(git -C "$root" status --porcelain -- src include CMakeLists.txt 2>/dev/null)" ] &&
  commit="$commit + uncommitted changes in src/"
[ -n "$shroud_bin" ] && commit="$commit; shroud: BENCH_SHROUD=$shroud_bin"
say "== shroud server benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
say "machine: ${cpu:-unknown CPU}, nproc $(nproc); load average at the start of the runs: $load_start"
say "versions: wrk $(ver wrk), nginx $(ver nginx), libmicrohttpd $(ver libmicrohttpd12), GnuTLS $(ver libgnutls30)," \
  "OpenSSL $(ver openssl) (wrk's and nginx's TLS)"
say "wrk: $seconds s per run, $conns connections, $threads threads, --timeout $timeout, --latency; $rounds round(s)" \
  "of the download and gallery runs, interleaved; wrk and both servers share the $(nproc) cores"
say "shroud serve: --threads $threads (libmicrohttpd thread pool, epoll), access log to a file; TLS: $shroud_tls"
say "nginx: worker_processes $threads, the same certificate and key (ECDSA P-256, DATA/tls/), access log to a" \
  "file, keepalive_requests 1000000; TLS: $nginx_tls"
say "files: download $dl_path: a signed JPEG of $one_size bytes (${one_w}x$one_h, from $(basename "$big_photo"));" \
  "gallery: $gallery_path, $gallery_n images, $gallery_bytes bytes of JSON"
say "       upload: $upload_files distinct signed JPEGs of $up_size bytes (${two_w}x$two_h; they differ in a JPEG comment)"
if [ -n "$stand_in" ]; then say "       NOTE: $stand_in"; fi
say "checks: ${checks[*]/%/;}"
say ""
med_note=""
[ "$rounds" -gt 1 ] && med_note=", medians over $rounds rounds (ratio: the median of the per-round ratios)"
say "results (requests/s and p99 latency from wrk$med_note):"
row() { printf '  %-22s %12s %9s %12s %9s %17s\n' "$@"; }
row "" "shroud req/s" "p99 ms" "nginx req/s" "p99 ms" "shroud/nginx"
rng() { [ "$rounds" -gt 1 ] && printf '%s (%s)' "$1" "$2" || printf '%s' "$1"; }
row "download 1 MiB" "${M[dl.shroud.rps]}" "${M[dl.shroud.p99]}" "${M[dl.nginx.rps]}" "${M[dl.nginx.p99]}" \
  "$(rng "${M[dl.ratio]}" "${M[dl.range]}")"
row "gallery JSON (*)" "${M[gal.shroud.rps]}" "${M[gal.shroud.p99]}" "${M[gal.nginx.rps]}" "${M[gal.nginx.p99]}" \
  "$(rng "${M[gal.ratio]}" "${M[gal.range]}")"
row "upload 2 MiB (**)" "$(cell "${M[up.shroud.rps]}")" "$(cell "${M[up.shroud.p99]}")" "-" "-" "-"
say "  (*) nginx serves a static copy of shroud's answer: its column is the cost of the bytes, not of the query."
say "  (**) nginx has no counterpart. Per upload shroud receives the body, parses the JPEG, verifies its Ed25519"
say "  signature against the uploader's registered key, hashes the file (SHA-256: its id), looks the id up,"
say "  writes a temporary file, fsyncs it, renames it into place, fsyncs the directory and adds the SQLite row."
dup_note=""
[ "${up_dup:-0}" != 0 ] && dup_note=" (the $upload_files files ran out: set BENCH_UPLOAD_FILES higher)"
say "  uploads (the answers wrk saw): $(cell "$up_created") new (201), $(cell "$up_dup") duplicates (200)$dup_note," \
  "$(cell "$up_other") other;"
say "  $(awk -v c="${up_created:-0}" -v s="$seconds" 'BEGIN { printf "%.1f", c / s }') new images/s." \
  "On the server, once it had finished the uploads in flight when wrk stopped:"
say "  gallery total $total_before -> $total_after, shroud_uploads_total $uploads_before -> $uploads_after."
say "  server CPU per request, nginx/shroud (less sensitive to other load on the machine than req/s):" \
  "download ${M[dl.cpu_ratio]}, gallery ${M[gal.cpu_ratio]}"
say ""
say "every run (MB/s of responses; server cpu: user + system seconds of the server's processes during the run,"
say "and ms per request wrk counted; errors: wrk's non-2xx/3xx responses and its socket errors):"
drow() { printf '  %-14s %9s %9s %9s %7s %7s %7s %7s %7s %7s %7s\n' "$@"; }
drow run requests "req/s" "MB/s" "cpu s" "ms/req" non2xx connect read write timeout
for n in "${runs[@]}"; do
  drow "$n" "$(cell "${R[$n.requests]}")" "$(cell "${R[$n.rps]}")" "$(cell "${R[$n.mbs]}")" "${R[$n.cpu]}" \
    "${R[$n.cpu_per]}" "${R[$n.non2xx]}" "${R[$n.connect]}" "${R[$n.read]}" "${R[$n.write]}" "${R[$n.timeout]}"
done
say ""
say "server messages during each run (shroud's standard error, nginx's error log), counted;"
say "shroud's access log for its runs, after it finished the requests it held:"
for n in "${runs[@]}"; do
  if [ -s "$out/$n.err" ]; then
    say "  $n:"
    sed -E 's/[0-9a-f]{64}/ID/g; s/^[0-9\/]+ [0-9:]+ //; s/\*[0-9]+ //; s/[0-9]+#[0-9]+: //; s/client: [0-9.:]+/client: ADDR/' \
      "$out/$n.err" | sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
  fi
  [ -n "${R[$n.log]:-}" ] && say "  $n access log: statuses ${R[$n.log]}"
done
say "  Known and harmless: (1) before each run wrk connects once without TLS to check the address and"
say "  closes: shroud then says 'received handshake message out of context' (a bare TCP connect and close"
say "  does the same); (2) at the end of a run wrk closes its connections with responses in flight:"
say "  shroud says 'Failed to send the response ...' (forcibly closed / socket no longer available) and"
say "  logs the request as aborted, at most one per connection. Anything else is worth a look."
say ""

# ---- goals ----
say "goals:"
say "  downloads >= 0.5x nginx: ${M[dl.ratio]} $(awk -v r="${M[dl.ratio]}" 'BEGIN { print (r != "-" && r >= 0.5) ? "met" : "NOT MET" }')"
errs=""
for n in "${runs[@]}"; do
  [[ $n == *.shroud.* ]] || continue
  [ "${R[$n.errors]}" = 0 ] || errs="$errs $n:${R[$n.errors]}"
done
cond=""
if [ "$conns" != 64 ] || [ "$seconds" -lt 30 ]; then
  cond=" (but this run used $conns connections for $seconds s; the goal says 64 for 30 s)"
fi
if [ -z "$errs" ]; then
  say "  no errors under 64 connections for 30 s (shroud's runs: wrk's non-2xx and socket errors): met$cond"
else
  say "  no errors under 64 connections for 30 s (shroud's runs): NOT MET:$errs$cond"
fi
say ""
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Other work on the machine makes these numbers"
say "noisy: rerun when it is high, or with BENCH_ROUNDS=3. wrk's outputs and the servers' logs: $out/"
say "total run time: $(($(date +%s) - t_start)) s"
exit 0
