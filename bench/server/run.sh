#!/usr/bin/env bash
# bench/server/run.sh — the server benchmark: wrk against `shroud serve` in
# up to three set-ups (backends) and against nginx serving the same image
# file over TLS with the same certificate, in one run.
#
#   bench/server/run.sh        # or: make bench
#   BENCH_SECONDS=5 BENCH_BACKENDS="sqlite cluster" bench/server/run.sh
#
# Builds build-bench-server/ (CMake Release, -O2, no tests; only the shroud
# command), then:
#   1. makes a self-signed ECDSA P-256 certificate (every TLS endpoint below
#      uses it), a key from `shroud keygen`, and the signed JPEGs (bench/
#      server/make_images.py, from the test photos): 49 small ones and one
#      of exactly 1 MiB for the gallery, and the 2 MiB upload files;
#   2. for each backend of BENCH_BACKENDS, one after the other:
#        sqlite    one `shroud serve` (TLS), SQLite and images in its --data;
#        postgres  one `shroud serve --db postgres://...` (TLS), accounts and
#                  images in a throwaway PostgreSQL cluster
#                  (scripts/pg-cluster);
#        cluster   two `shroud serve --no-tls --db postgres://...` over one
#                  throwaway cluster, behind an nginx terminating TLS and
#                  balancing round robin (as tests/cli/test_serve_cluster.sh);
#      it registers a user, logs in, uploads the 50 gallery images, runs wrk
#      (--latency for p99): downloads of the 1 MiB image, the gallery JSON
#      (/api/images?per_page=50), then uploads of 2 MiB signed JPEGs
#      (bench/server/upload.lua: every request a different pre-signed file),
#      and stops it (and its cluster) before the next backend starts;
#   3. the reference: nginx (a throwaway configuration in the run's temporary
#      directory, not the system's) serving a copy of the 1 MiB image at
#      /images/ID and a static copy of the first backend's gallery JSON at
#      /api/images: the download and gallery runs, before the backends';
#   4. prints a table of requests/s, p99 and the ratio backend/nginx, the
#      errors of every run (wrk's and the servers' own), and the goals.
# A benchmark, not a test: it exits 0 whenever the measurements ran, goals
# met or not. Everything it starts (servers, nginx, PostgreSQL clusters) is
# stopped, and its temporary directories removed, on exit, Ctrl-C included.
#
# Environment: BENCH_BACKENDS (default "sqlite postgres cluster"),
# BENCH_SECONDS (each wrk run, default 30), BENCH_CONNECTIONS (default 64),
# BENCH_THREADS (wrk's threads, each shroud's --threads and each nginx's
# worker_processes; default nproc), BENCH_TIMEOUT (wrk --timeout, default
# 30s: wrk leaves slower requests out of its latency histogram and counts
# them as timeouts), BENCH_UPLOAD_FILES (distinct signed 2 MiB files for the
# upload runs, default 80 per second of run), BENCH_ROUNDS (rounds of the
# download and gallery runs, default 1), BENCH_TESTDATA (default
# ../shared/testdata; synthetic stand-ins are made when photos are missing),
# BENCH_SHROUD (a shroud binary to measure instead of building one, e.g. to
# try a change).
set -euo pipefail

t_start=$(date +%s)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build-bench-server
out=$build/server
testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
backends=${BENCH_BACKENDS:-sqlite postgres cluster}
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

# ---- settings and tools ----
read -ra backend_list <<<"$backends"
[ ${#backend_list[@]} -gt 0 ] || { note "BENCH_BACKENDS is empty: name at least one of sqlite postgres cluster"; exit 1; }
needs_pg=0
for b in "${backend_list[@]}"; do
  case $b in
  sqlite) ;;
  postgres | cluster) needs_pg=1 ;;
  *) note "BENCH_BACKENDS: unknown backend '$b': the backends are sqlite, postgres and cluster"; exit 1 ;;
  esac
done
missing=()
for tool in wrk nginx curl openssl cmake; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ "$needs_pg" = 0 ] || command -v psql >/dev/null || missing+=("psql (postgresql-client)")
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
# the files, one backend's copies (each backend is stopped and its data
# removed before the next starts), the rest
need_kib=$(((upload_files * 2 * 2 + 200) * 1024))
free_kib=$(df -Pk "$out" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$need_kib" ]; then
  note "$((need_kib / 1024)) MiB needed in $out for $upload_files upload files, $((free_kib / 1024)) MiB free:" \
    "set BENCH_UPLOAD_FILES lower"
  exit 1
fi
tmp=$(mktemp -d "$out/run.XXXXXX")
nginx_pid=    # the reference nginx
be_pids=()    # the current backend's processes: shroud serve(s), its nginx
pg_dir='' pg_url='' # the current backend's PostgreSQL cluster
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
stop_backend() { # stops the current backend's processes and its cluster
  local p
  for p in "${be_pids[@]}"; do stop_pid "$p"; done
  be_pids=()
  if [ -n "$pg_dir" ]; then
    "$root/scripts/pg-cluster" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=
  fi
}
cleanup() {
  trap '' INT TERM # a second Ctrl-C does not cut the clean-up short
  stop_pid "$nginx_pid"
  stop_backend
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ngx=$tmp/nginx
mkdir -p "$ngx/www/images" "$tmp/gal" "$tmp/up.unsigned" "$tmp/up" "$tmp/tls"
rm -f "$out"/*.wrk "$out"/*.err "$out"/*.stdout "$out"/*.stderr "$out"/*.log.txt
api() { curl -sS -k --max-time 60 "$@"; }
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- the certificate (every TLS endpoint), the key, the images ----
cert=$tmp/tls/cert.pem
cert_key=$tmp/tls/key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$cert_key" -out "$cert" 2>/dev/null || { note "openssl could not make a certificate"; exit 1; }
"$cli" keygen -o "$tmp/id.key" >"$tmp/id.pub" 2>/dev/null
password='bench server password 1'
"$py" -c 'import json, sys
print(json.dumps({"username": "bench", "password": sys.argv[1],
                  "public_key": open(sys.argv[2]).read()}))' "$password" "$tmp/id.pub" >"$tmp/register.json"

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
one_id=$(sha256sum "$tmp/one.signed.jpg" | cut -c1-64)
one_size=$(stat -c %s "$tmp/one.signed.jpg")
cp "$tmp/one.signed.jpg" "$ngx/www/images/$one_id"
dl_path=/images/$one_id
gallery_path="/api/images?per_page=$per_page"

# ---- the backends: starting one, filling it ----
# The current backend: be_url (what wrk and the set-up talk to), be_direct
# (each shroud process's own URL: its /metrics), be_logs (each shroud
# process's access log), be_errs (every process's error output), be_pids,
# be_cpu_pids (PostgreSQL's postmaster: counted in the CPU, not stopped here).
be_url='' be_direct=() be_logs=() be_errs=() be_cpu_pids=() token=''

# start_shroud NAME ARGS...: starts `shroud serve ARGS` in the background with
# its access log in $out/NAME.stdout; waits for its banner; appends to
# be_pids, be_logs, be_errs, be_direct; prints its URL.
start_shroud() {
  local name=$1
  shift
  local so=$out/$name.stdout se=$out/$name.stderr url
  "$cli" serve --listen 127.0.0.1:0 --threads "$threads" "$@" >"$so" 2>"$se" &
  be_pids+=($!)
  be_logs+=("$so")
  be_errs+=("$se")
  for _ in $(seq 100); do
    grep -q "listening on" "$so" 2>/dev/null && break
    kill -0 "${be_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  url=$(sed -n 's|.*listening on \(https*://127.0.0.1:[0-9]*\)/.*|\1|p' "$so")
  [ -n "$url" ] || { note "shroud serve ($name) did not start:"; cat "$se" >&2; exit 1; }
  be_direct+=("$url")
}

# start_pg: a throwaway PostgreSQL cluster (scripts/pg-cluster) in pg_dir;
# sets pg_url. pg-cluster runs it with fsync=off; this turns fsync back on
# so that a commit costs what it costs SQLite (synchronous=FULL).
start_pg() {
  pg_dir=$(mktemp -d /tmp/shroud-bench-pg.XXXXXX) # the postgres user must reach it: not under $tmp
  pg_url=$("$root/scripts/pg-cluster" start "$pg_dir" 2>"$out/pg-cluster.log") ||
    { note "scripts/pg-cluster could not start a cluster:"; cat "$out/pg-cluster.log" >&2; exit 1; }
  psql -q -X "$pg_url" -c 'ALTER SYSTEM SET fsync = on' -c 'SELECT pg_reload_conf()' >/dev/null ||
    { note "psql could not turn fsync on in the cluster at $pg_url"; exit 1; }
  be_cpu_pids+=("$(head -n 1 "$pg_dir/data/postmaster.pid")") # its CPU counts too
}

# start_lb NAME PORT UPSTREAM_URLS...: nginx terminating TLS (the
# certificate above) on PORT, round robin over the plain-HTTP upstreams, with
# kept-alive upstream connections and unbuffered request bodies.
start_lb() {
  local name=$1 port=$2 d=$tmp/$1 u
  shift 2
  mkdir -p "$d/logs" "$d/temp"
  {
    [ "$(id -u)" = 0 ] && echo "user root;  # the run's directory is root's, mode 0700"
    cat <<NGX
worker_processes $threads;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $d/logs/access.log;
  client_body_temp_path $d/temp/body;
  proxy_temp_path $d/temp/proxy;
  fastcgi_temp_path $d/temp/fastcgi;
  uwsgi_temp_path $d/temp/uwsgi;
  scgi_temp_path $d/temp/scgi;
  keepalive_requests 1000000;
  upstream shroud {
NGX
    for u in "$@"; do echo "    server ${u#http://};"; done
    cat <<NGX
    keepalive $((conns + 16));  # idle connections kept to the upstreams
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $cert;
    ssl_certificate_key $cert_key;
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 64m;
    location / {
      proxy_pass http://shroud;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_request_buffering off;   # uploads stream through to shroud
      proxy_buffers 8 64k;           # responses through memory,
      proxy_max_temp_file_size 0;    # never through temporary files
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout;
    }
  }
}
NGX
  } >"$d/nginx.conf"
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g 'daemon off;' 2>"$d/logs/stderr.log" &
  be_pids+=($!)
  be_errs+=("$d/logs/error.log")
  for _ in $(seq 100); do
    api -o /dev/null "https://127.0.0.1:$port/healthz" 2>/dev/null && break
    kill -0 "${be_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "${be_pids[-1]}" 2>/dev/null ||
    { note "nginx ($name) did not start:"; cat "$d/logs/error.log" "$d/logs/stderr.log" >&2; exit 1; }
}

# start_backend B: starts backend B, registers, logs in, uploads the gallery.
start_backend() {
  local b=$1 port
  be_url='' be_direct=() be_logs=() be_errs=() be_pids=() be_cpu_pids=()
  case $b in
  sqlite)
    start_shroud sqlite --data "$tmp/data.sqlite" --tls-cert "$cert" --tls-key "$cert_key"
    be_url=${be_direct[0]}
    ;;
  postgres)
    start_pg
    start_shroud postgres --data "$tmp/data.postgres" --db "$pg_url" --tls-cert "$cert" --tls-key "$cert_key"
    be_url=${be_direct[0]}
    ;;
  cluster)
    start_pg
    start_shroud cluster.a --no-tls --data "$tmp/data.cluster.a" --db "$pg_url"
    start_shroud cluster.b --no-tls --data "$tmp/data.cluster.b" --db "$pg_url"
    port=$(free_port)
    start_lb nginx.cluster "$port" "${be_direct[@]}"
    be_url=https://127.0.0.1:$port
    ;;
  esac
  api -H 'Content-Type: application/json' --data-binary @"$tmp/register.json" -o /dev/null "$be_url/api/register"
  token=$(api -H 'Content-Type: application/json' \
    --data-binary "{\"username\": \"bench\", \"password\": \"$password\"}" "$be_url/api/login" |
    "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
    { note "cannot log in to the $b backend"; exit 1; }
  local f st
  for f in "$tmp"/gal/gal-*.signed.jpg "$tmp/one.signed.jpg"; do
    st=$(api -o "$tmp/upload.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
      -H 'Content-Type: image/jpeg' --data-binary @"$f" "$be_url/api/images")
    [ "$st" = 201 ] || { note "$b: uploading $f: status $st: $(cat "$tmp/upload.json")"; exit 1; }
  done
}
# ---- the runs ----
# cpu_ticks PID...: user + system clock ticks of the processes and their
# children (nginx's workers)
cpu_ticks() {
  local t=0 p k
  for p in "$@"; do
    for k in $p $(ps -o pid= --ppid "$p" 2>/dev/null || true); do
      [ -r "/proc/$k/stat" ] || continue
      t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$k/stat")))
    done
  done
  echo "$t"
}
lines_of() { if [ $# -gt 0 ]; then cat "$@" 2>/dev/null | wc -l; else echo 0; fi; }
hz=$(getconf CLK_TCK)
declare -A R
runs=()
# run NAME SIDE URL [SCRIPT ARGS...]: one wrk run (with a Lua script and its
# arguments) against SIDE (nginx: the reference; else the current backend);
# keeps wrk's output in $out/NAME.wrk and the servers' messages in
# $out/NAME.err; R[NAME.*] gets the numbers
run() {
  local name=$1 side=$2 url=$3 script=${4:-}
  shift 3
  [ $# -gt 0 ] && shift
  local lua=("$url")
  [ -n "$script" ] && lua=(-s "$script" "$url" -- "$@")
  local pids=("${be_pids[@]}" "${be_cpu_pids[@]}") errs=("${be_errs[@]}") logs=("${be_logs[@]}")
  [ "$side" = nginx ] && pids=("$nginx_pid") errs=("$ngx/logs/error.log") logs=()
  local err_before=() log_before=() i cpu_before cpu_after
  for i in "${!errs[@]}"; do err_before[i]=$(lines_of "${errs[i]}"); done
  for i in "${!logs[@]}"; do log_before[i]=$(lines_of "${logs[i]}"); done
  cpu_before=$(cpu_ticks "${pids[@]}")
  note "wrk: $name ($seconds s, $conns connections, $threads threads)"
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$timeout" --latency "${lua[@]}" \
    >"$out/$name.wrk" 2>&1 || note "wrk failed: $name (see $out/$name.wrk)"
  cpu_after=$(cpu_ticks "${pids[@]}")
  # the servers finish what they had received when wrk stopped (uploads):
  # wait until shroud's access logs stay the same for a second (at most 60 s)
  local lines=-1
  for _ in $(seq 60); do
    [ "$(lines_of "${logs[@]}")" = "$lines" ] && break
    lines=$(lines_of "${logs[@]}")
    sleep 1
  done
  : >"$out/$name.err"
  for i in "${!errs[@]}"; do tail -n +$((err_before[i] + 1)) "${errs[i]}" >>"$out/$name.err"; done
  if [ ${#logs[@]} -gt 0 ]; then # statuses in shroud's access logs, and aborted requests
    R[$name.log]=$(for i in "${!logs[@]}"; do tail -n +$((log_before[i] + 1)) "${logs[i]}"; done |
      awk '{ c[$5]++; if (/\(aborted\)/) a++ } END { for (k in c) printf "%s:%d ", k, c[k]; printf "aborted:%d", a }')
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

images_total() { api "$be_url/api/images?per_page=1" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
uploads_metric() { # the sum over the backend's processes
  local u
  for u in "${be_direct[@]}"; do api "$u/metrics"; done | awk '$1 == "shroud_uploads_total" { s += $2 } END { print s + 0 }'
}
gallery_ids() { "$py" -c 'import json, sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["images"]))' "$1"; }
tls_of() { # tls_of URL -> "TLSv1.3 TLS_AES_256_GCM_SHA384"
  openssl s_client -connect "${1#https://}" -brief </dev/null 2>&1 |
    awk -F': *' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 } END { print p, c }'
}

# start_reference: nginx serving the image and the static gallery copy
start_reference() {
  nginx_port=$(free_port)
  mkdir -p "$ngx/logs" "$ngx/temp"
  {
    [ "$(id -u)" = 0 ] && echo "user root;  # the run's directory is root's, mode 0700"
    cat <<NGX
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
    ssl_certificate $cert;
    ssl_certificate_key $cert_key;
    ssl_protocols TLSv1.2 TLSv1.3;  # 1.22's default lacks TLSv1.3, which shroud speaks
    location /images/ {
      alias $ngx/www/images/;
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
NGX
  } >"$ngx/nginx.conf"
  note "starting the reference nginx (worker_processes $threads) on port $nginx_port"
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
}

checks=()
declare -A TLS UP
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
first=
for b in "${backend_list[@]}"; do
  note "backend $b: starting and filling it"
  start_backend "$b"
  api -o "$tmp/gal.$b" "$be_url$gallery_path"
  if [ -z "$first" ]; then # the reference serves a copy of the first backend's gallery
    first=$b
    cp "$tmp/gal.$b" "$ngx/www/gallery.json"
    gallery_n=$("$py" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["images"]))' \
      "$ngx/www/gallery.json")
    gallery_bytes=$(stat -c %s "$ngx/www/gallery.json")
    [ "$gallery_n" = $((gallery_others + 1)) ] ||
      { note "the gallery lists $gallery_n images, not $((gallery_others + 1))"; exit 1; }
    start_reference
    api -o "$tmp/dl.nginx" "$nginx_url$dl_path"
    cmp -s "$tmp/dl.nginx" "$tmp/one.signed.jpg" && checks+=("nginx download ok") || checks+=("nginx download DIFFERS")
    api -o "$tmp/galr.nginx" "$nginx_url$gallery_path"
    cmp -s "$tmp/galr.nginx" "$ngx/www/gallery.json" && checks+=("nginx gallery ok") || checks+=("nginx gallery DIFFERS")
    TLS[nginx]=$(tls_of "$nginx_url")
    for r in $(seq "$rounds"); do # the reference, before the backends
      run "dl.nginx.$r" nginx "$nginx_url$dl_path"
      run "gal.nginx.$r" nginx "$nginx_url$gallery_path"
    done
  fi
  api -o "$tmp/dl.$b" "$be_url$dl_path"
  cmp -s "$tmp/dl.$b" "$tmp/one.signed.jpg" && checks+=("$b download ok") || checks+=("$b download DIFFERS")
  [ "$(gallery_ids "$tmp/gal.$b")" = "$(gallery_ids "$ngx/www/gallery.json")" ] &&
    checks+=("$b gallery ok") || checks+=("$b gallery DIFFERS")
  "$cli" verify -k "$tmp/id.pub" "$tmp/dl.$b" >/dev/null 2>&1 && checks+=("$b signature verifies") ||
    checks+=("$b signature FAILS")
  TLS[$b]=$(tls_of "$be_url")
  for r in $(seq "$rounds"); do
    run "dl.$b.$r" "$b" "$be_url$dl_path"
    run "gal.$b.$r" "$b" "$be_url$gallery_path"
  done
  UP[$b.total_before]=$(images_total)
  UP[$b.uploads_before]=$(uploads_metric)
  run "up.$b.1" "$b" "$be_url/api/images" "$here/upload.lua" "$tmp/up" "$upload_files" "$token" "$threads"
  UP[$b.total_after]=$(images_total)
  UP[$b.uploads_after]=$(uploads_metric)
  up_line=$(grep '^uploads:' "$out/up.$b.1.wrk" || true)
  kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
  UP[$b.created]=$(kv created "$up_line")
  UP[$b.dup]=$(kv duplicate "$up_line")
  UP[$b.other]=$(kv other "$up_line")
  [ "$b" != cluster ] || cp "$tmp/nginx.cluster/logs/error.log" "$out/nginx.cluster.error.log"
  note "backend $b: stopping it"
  stop_backend
done
cp "$ngx/logs/error.log" "$out/nginx.error.log"

# ---- summaries over the rounds ----
median() { printf '%s\n' "$@" | awk 'NF && $1 != "-"' | sort -g | awk '{ v[NR] = $1 }
  END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
# field KIND SIDE KEY: the values of R[KIND.SIDE.r.KEY] over the rounds
field() { local r; for r in $(seq "$rounds"); do echo "${R[$1.$2.$r.$3]:-}"; done; }
# per_round_ratios KIND SIDE KEY INVERT: SIDE/nginx (nginx/SIDE with INVERT=1) per round
per_round_ratios() {
  local r a b
  for r in $(seq "$rounds"); do
    a=${R[$1.$2.$r.$3]:-} b=${R[$1.nginx.$r.$3]:-}
    [ "$4" = 1 ] && { local t=$a; a=$b b=$t; }
    ratio "$a" "$b"
    echo
  done
}
declare -A M
for k in dl gal; do
  for side in nginx "${backend_list[@]}"; do
    # shellcheck disable=SC2046 # one value per line
    M[$k.$side.rps]=$(median $(field "$k" "$side" rps))
    # shellcheck disable=SC2046
    M[$k.$side.p99]=$(median $(field "$k" "$side" p99))
    [ "$side" = nginx ] && continue
    mapfile -t rr < <(per_round_ratios "$k" "$side" rps 0)
    M[$k.$side.ratio]=$(median "${rr[@]}")
    M[$k.$side.range]=$(printf '%s\n' "${rr[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }')
    mapfile -t rc < <(per_round_ratios "$k" "$side" cpu_per 1)
    M[$k.$side.cpu_ratio]=$(median "${rc[@]}")
  done
done

# ---- report ----
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo)
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
cell() { if [ -n "$1" ]; then printf '%s' "$1"; else printf -- '-'; fi; }
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -n "$(git -C "$root" status --porcelain -- src include CMakeLists.txt 2>/dev/null)" ] &&
  commit="$commit + uncommitted changes in src/"
[ -n "$shroud_bin" ] && commit="$commit; shroud: BENCH_SHROUD=$shroud_bin"
pg_ver=$(psql --version 2>/dev/null | sed -n 's/^psql (PostgreSQL) \([0-9.]*\).*/\1/p')
say "== shroud server benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
say "machine: ${cpu:-unknown CPU}, nproc $(nproc); load average at the start of the runs: $load_start"
say "versions: wrk $(ver wrk), nginx $(ver nginx), libmicrohttpd $(ver libmicrohttpd12), GnuTLS $(ver libgnutls30)," \
  "OpenSSL $(ver openssl) (wrk's and nginx's TLS), PostgreSQL ${pg_ver:-?}"
say "wrk: $seconds s per run, $conns connections, $threads threads, --timeout $timeout, --latency; $rounds round(s)" \
  "of the download and gallery runs; wrk and every server share the $(nproc) cores"
say "backends (one after the other; each stopped before the next starts; every shroud serve --threads $threads):"
for b in "${backend_list[@]}"; do
  case $b in
  sqlite) say "  sqlite:   one shroud serve, TLS, SQLite (WAL, synchronous=FULL) and images in --data; TLS: ${TLS[$b]}" ;;
  postgres) say "  postgres: one shroud serve --db postgres://, TLS, accounts and images in PostgreSQL (a throwaway" \
    "cluster on 127.0.0.1, fsync on); TLS: ${TLS[$b]}" ;;
  cluster) say "  cluster:  two shroud serve --no-tls --db postgres:// (one throwaway cluster, fsync on) behind nginx" \
    "(worker_processes $threads, TLS, round robin, upstream keepalive, proxy_request_buffering off); TLS: ${TLS[$b]}" ;;
  esac
done
say "reference: nginx, worker_processes $threads, static files (the 1 MiB image, a copy of the $first backend's gallery" \
  "answer), keepalive_requests 1000000, access log to a file; TLS: ${TLS[nginx]}"
say "all TLS endpoints: one self-signed ECDSA P-256 certificate (openssl req), TLS 1.2 and 1.3"
say "files: download $dl_path: a signed JPEG of $one_size bytes (${one_w}x$one_h, from $(basename "$big_photo"));" \
  "gallery: $gallery_path, $gallery_n images, $gallery_bytes bytes of JSON"
say "       upload: $upload_files distinct signed JPEGs of $up_size bytes (${two_w}x$two_h; they differ in a JPEG comment)"
if [ -n "$stand_in" ]; then say "       NOTE: $stand_in"; fi
say "checks: ${checks[*]/%/;}"
say ""
med_note=""
[ "$rounds" -gt 1 ] && med_note=", medians over $rounds rounds (ratio: the median of the per-round ratios, their range)"
say "results (requests/s and p99 latency in ms from wrk; /nginx: requests/s against the nginx static reference$med_note):"
row() { printf '  %-16s %10s %8s %11s %10s %8s %11s %9s %8s\n' "$@"; }
row "" "download" "p99" "/nginx" "gallery" "p99" "/nginx" "upload" "p99"
rng() { [ "$rounds" -gt 1 ] && printf '%s (%s)' "$1" "$2" || printf '%s' "$1"; }
row "nginx static" "${M[dl.nginx.rps]}" "${M[dl.nginx.p99]}" "1" "${M[gal.nginx.rps]}" "${M[gal.nginx.p99]}" "1" "-" "-"
for b in "${backend_list[@]}"; do
  row "$b" "${M[dl.$b.rps]}" "${M[dl.$b.p99]}" "$(rng "${M[dl.$b.ratio]}" "${M[dl.$b.range]}")" \
    "${M[gal.$b.rps]}" "${M[gal.$b.p99]}" "$(rng "${M[gal.$b.ratio]}" "${M[gal.$b.range]}")" \
    "$(cell "${R[up.$b.1.rps]:-}")" "$(cell "${R[up.$b.1.p99]:-}")"
done
say "  download: 1 MiB image; gallery: the JSON of 50 images (nginx serves a static copy of shroud's answer: its"
say "  column is the cost of the bytes, not of the query); upload: 2 MiB signed JPEGs (nginx has no counterpart)."
say "  Per upload shroud receives the body, parses the JPEG, verifies its Ed25519 signature against the uploader's"
say "  registered key, hashes the file (SHA-256: its id), looks the id up and stores it: sqlite writes a"
say "  temporary file, fsyncs it, renames it, fsyncs the directory and commits the row; postgres and cluster"
say "  insert the bytes and the row in one PostgreSQL transaction."
[[ " ${backend_list[*]} " == *" cluster "* ]] &&
  say "  cluster: both processes, their nginx, PostgreSQL and wrk share the $(nproc) cores: the row measures the" &&
  say "  overhead of the proxy hop and the shared database, not scaling."
say "uploads (the answers wrk saw; then, once the servers had finished the uploads in flight when wrk stopped,"
say "the gallery total and shroud_uploads_total, summed over the backend's processes):"
for b in "${backend_list[@]}"; do
  dup_note=""
  [ "${UP[$b.dup]:-0}" != 0 ] && [ -n "${UP[$b.dup]:-}" ] && dup_note=" (the files ran out: set BENCH_UPLOAD_FILES higher)"
  say "  $b: $(cell "${UP[$b.created]:-}") new (201), $(cell "${UP[$b.dup]:-}") duplicates (200)$dup_note," \
    "$(cell "${UP[$b.other]:-}") other;" \
    "$(awk -v c="${UP[$b.created]:-0}" -v s="$seconds" 'BEGIN { printf "%.1f", c / s }') new images/s;" \
    "gallery total ${UP[$b.total_before]} -> ${UP[$b.total_after]}," \
    "shroud_uploads_total ${UP[$b.uploads_before]} -> ${UP[$b.uploads_after]}"
done
say "server CPU per request, nginx/backend (less sensitive to other load on the machine than req/s):"
for b in "${backend_list[@]}"; do
  say "  $b: download ${M[dl.$b.cpu_ratio]}, gallery ${M[gal.$b.cpu_ratio]}"
done
say ""
say "every run (MB/s of responses; server cpu: user + system seconds of the run's server processes (shroud"
say "serve, nginx's workers, PostgreSQL's server processes) during the run, and ms per request wrk counted;"
say "errors: wrk's non-2xx/3xx responses and its socket errors):"
drow() { printf '  %-15s %9s %9s %9s %7s %7s %7s %7s %7s %7s %7s\n' "$@"; }
drow run requests "req/s" "MB/s" "cpu s" "ms/req" non2xx connect read write timeout
for n in "${runs[@]}"; do
  drow "$n" "$(cell "${R[$n.requests]}")" "$(cell "${R[$n.rps]}")" "$(cell "${R[$n.mbs]}")" "${R[$n.cpu]}" \
    "${R[$n.cpu_per]}" "${R[$n.non2xx]}" "${R[$n.connect]}" "${R[$n.read]}" "${R[$n.write]}" "${R[$n.timeout]}"
done
say ""
say "server messages during each run (shroud's standard error, nginx's error logs), counted;"
say "shroud's access logs for its runs, after it finished the requests it held:"
for n in "${runs[@]}"; do
  if [ -s "$out/$n.err" ]; then
    say "  $n:"
    sed -E 's/[0-9a-f]{64}/ID/g; s/^[0-9\/]+ [0-9:]+ //; s/\*[0-9]+ //; s/[0-9]+#[0-9]+: //; s/client: [0-9.:]+/client: ADDR/; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
      "$out/$n.err" | sort | uniq -c | sort -rn | head -8 | sed 's/^/    /'
  fi
  [ -n "${R[$n.log]:-}" ] && say "  $n access log: statuses ${R[$n.log]}"
done
say "  Known and harmless: (1) before each run wrk connects once without TLS to check the address and"
say "  closes: a TLS shroud then says 'received handshake message out of context' (a bare TCP connect and"
say "  close does the same); (2) at the end of a run wrk closes its connections with responses in flight:"
say "  shroud says 'Failed to send the response ...' (forcibly closed / socket no longer available) and"
say "  logs the request as aborted, at most one per connection. Anything else is worth a look."
say ""

# ---- goals ----
say "goals:"
for b in "${backend_list[@]}"; do
  say "  $b: downloads >= 0.5x nginx: ${M[dl.$b.ratio]}" \
    "$(awk -v r="${M[dl.$b.ratio]}" 'BEGIN { print (r != "-" && r >= 0.5) ? "met" : "NOT MET" }')"
done
failed_runs=""
for n in "${runs[@]}"; do
  [[ $n == *.nginx.* ]] && continue
  [ "${R[$n.errors]}" = 0 ] || failed_runs="$failed_runs $n:${R[$n.errors]}"
done
cond=""
if [ "$conns" != 64 ] || [ "$seconds" -lt 30 ]; then
  cond=" (but this run used $conns connections for $seconds s; the goal says 64 for 30 s)"
fi
if [ -z "$failed_runs" ]; then
  say "  no errors under 64 connections for 30 s (every backend's runs: wrk's non-2xx and socket errors): met$cond"
else
  say "  no errors under 64 connections for 30 s (every backend's runs): NOT MET:$failed_runs$cond"
fi
say ""
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Other work on the machine makes these numbers"
say "noisy: rerun when it is high, or with BENCH_ROUNDS=3. wrk's outputs and the servers' logs: $out/"
say "total run time: $(($(date +%s) - t_start)) s"
exit 0
