#!/usr/bin/env bash
# `cmake --install` puts the command (and shroud-net, which runs serve and
# remote), both libraries, the header, shroud.pc and the man page in place, and a program built with pkg-config against the
# installed copy works. Usage: test_install.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
pass=0 fail=0
check() { if "$@"; then pass=$((pass + 1)); else echo "FAILED: $*"; fail=$((fail + 1)); fi; }

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(cd "$prefix" && ls -d lib*/ | head -1)
libdir=$prefix/${libdir%/}
check test -x "$prefix/bin/shroud"
check test -x "$prefix/libexec/shroud/shroud-net"
check test -f "$prefix/include/shroud.h"
check test -f "$libdir/libshroud.a"
check test -L "$libdir/libshroud.so"
check test -f "$libdir/pkgconfig/shroud.pc"
check test -f "$prefix/share/man/man1/shroud.1"

# Only the public API is exported from the shared library.
exported=$(nm -D --defined-only "$libdir/libshroud.so" | awk '$2 ~ /[TDBR]/ {print $3}')
check test -n "$exported"
check test -z "$(grep -v '^shroud_' <<<"$exported" || true)"

# A program using the installed header and library through pkg-config.
cat > "$prefix/roundtrip.c" <<'C'
#include <shroud.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    shroud_identity *id = NULL;
    shroud_recipient *r = NULL;
    uint8_t *ct = NULL, *pt = NULL;
    size_t ct_len = 0, pt_len = 0;
    const char msg[] = "installed library works";
    if (shroud_identity_generate(&id) || shroud_identity_recipient(id, &r) ||
        shroud_seal((const shroud_recipient *[]){r}, 1, NULL, 0, 0, (const uint8_t *)msg,
                    sizeof msg, &ct, &ct_len) ||
        shroud_open((const shroud_identity *[]){id}, 1, NULL, NULL, 0, ct, ct_len, &pt, &pt_len))
        return 1;
    int ok = pt_len == sizeof msg && memcmp(pt, msg, pt_len) == 0;
    puts(ok ? (const char *)pt : "mismatch");
    shroud_free(ct);
    shroud_free_secret(pt, pt_len);
    shroud_recipient_free(r);
    shroud_identity_free(id);
    return ok ? 0 : 1;
}
C
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2086 # TEST_CFLAGS: the sanitizer flags of a sanitized build
check cc -std=c11 ${TEST_CFLAGS:-} -o "$prefix/roundtrip" "$prefix/roundtrip.c" \
    $(pkg-config --cflags --libs shroud)
check env LD_LIBRARY_PATH="$libdir" "$prefix/roundtrip"
check "$prefix/bin/shroud" --version
# serve and remote run shroud-net, found relative to the installed shroud
check "$prefix/bin/shroud" serve --help >/dev/null
check "$prefix/bin/shroud" remote --help >/dev/null
# ... and the local commands load none of the server's libraries
check test -z "$(ldd "$prefix/bin/shroud" | grep -E 'microhttpd|gnutls|sqlite|curl' || true)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
