#!/usr/bin/env bash
# Seed corpora for the fuzz targets, from real files on this machine (never
# committed): BUILD/fuzz/seeds/TARGET/. Made once; `make clean` (or removing
# the directory) makes them again. Usage: seeds.sh BUILD
#   elf        TLS libraries and fixture binaries (whole, up to ELF_MAX bytes), small
#              libraries, Go and Rust binaries cut to their version sections, and
#              small libraries shaped like each C stack's, compiled here
#   x86        the first functions of those libraries' exported TLS calls (code bytes)
#   gopclntab  .go.buildinfo and the head of .gopclntab of Go binaries
#   rustsym    Rust symbol names (legacy and v0) and crate paths of Rust binaries
#   procmaps   lines of /proc/self/maps and /proc/self/mountinfo, one a file
#   record     event and transcript lines of the matrix's captures
#   adapters   eCapture's captured output, a scorecard cut down (first byte: the reader)
set -eu  # no pipefail: `head` ends many pipelines here early, on purpose
BUILD=${1:?usage: seeds.sh BUILD}
SEEDS=$BUILD/fuzz/seeds
ELF_MAX=$((1024 * 1024))  # whole files up to 1 MiB: larger ones run at a few per second
LIBDIR=/usr/lib/x86_64-linux-gnu

log() { echo "fuzz seeds: $*" >&2; }

[[ -f $SEEDS/.done ]] && exit 0
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{elf,x86,gopclntab,rustsym,procmaps,record,adapters}

# The ELF files: TLS libraries of the host, the fixtures built here, Go
# binaries (the Go samples when built; Docker's runc and shims), small
# libraries of the host (every reader, quickly).
elf_files() {
    local f
    for f in $LIBDIR/libssl.so.3 $LIBDIR/libcrypto.so.3 $LIBDIR/libgnutls.so.30 \
             $LIBDIR/libnss3.so $LIBDIR/libnspr4.so $LIBDIR/libssl3.so \
             "$BUILD"/fixtures/*/tlsfix "$BUILD"/boringssl/*/tlsfix "$BUILD"/go-samples/*/*/tlsdial \
             /usr/sbin/runc /usr/bin/containerd-shim /usr/bin/true \
             $(find $LIBDIR -maxdepth 1 -name '*.so.*' -type f -size -48k | sort | head -n 24); do
        [[ -f $f ]] && echo "$f"
    done
    return 0
}

# Libraries shaped like each C stack's (its exported calls over an internal
# function, its version string), compiled here: small seeds that reach every
# backend's plan at a thousand times the speed of the real ones.
mini_libs() {
    local src=$SEEDS/mini.c
    cat > "$src" <<'C'
#include <stddef.h>
struct io { long (*write)(void *, const void *, long); long (*read)(void *, void *, long); };
const char banner[] = STRING;
__attribute__((noinline)) static int write_internal(void *s, const void *b, size_t n, size_t *done)
{ *done = n; return ((volatile const char *)b)[0] + banner[((const char *)s)[0] & 7]; }
__attribute__((noinline)) static int read_internal(void *s, void *b, size_t n, size_t *done)
{ *done = n; ((char *)b)[0] = banner[((const char *)s)[0] & 7]; return 1; }
#ifdef OPENSSL
int SSL_write(void *s, const void *b, int n) { size_t w; int r = write_internal(s, b, n, &w); return r > 0 ? (int)w : r; }
int SSL_write_ex(void *s, const void *b, size_t n, size_t *w) { return write_internal(s, b, n, w); }
int SSL_read(void *s, void *b, int n) { size_t w; int r = read_internal(s, b, n, &w); return r > 0 ? (int)w : r; }
int SSL_read_ex(void *s, void *b, size_t n, size_t *w) { return read_internal(s, b, n, w); }
#endif
#ifdef GNUTLS
long gnutls_record_send(void *s, const void *b, size_t n) { size_t w; return write_internal(s, b, n, &w) > 0 ? (long)w : -1; }
long gnutls_record_recv(void *s, void *b, size_t n) { size_t w; return read_internal(s, b, n, &w) > 0 ? (long)w : -1; }
#endif
#ifdef NSPR
int PR_Write(struct io **fd, const void *b, int n) { return (int)(*fd)->write(fd, b, n); }
int PR_Read(struct io **fd, void *b, int n) { return (int)(*fd)->read(fd, b, n); }
#endif
C
    gcc -O2 -shared -fPIC -DOPENSSL -DSTRING='"OpenSSL 3.0.19 27 Jan 2026"' "$src" -o "$SEEDS/elf/mini-libssl.so"
    gcc -O2 -shared -fPIC -fcf-protection=full -DOPENSSL -DSTRING='"OpenSSL 3.5.7 3 Nov 2026"' "$src" \
        -o "$SEEDS/elf/mini-libssl-cet.so"
    gcc -O2 -shared -fPIC -DGNUTLS -DSTRING='"GnuTLS 3.7.9"' "$src" -o "$SEEDS/elf/mini-libgnutls.so"
    gcc -O2 -shared -fPIC -DNSPR -DSTRING='"NSS 3.87"' "$src" -o "$SEEDS/elf/mini-libnspr4.so"
    rm -f "$src"
}
mini_libs

# A Go or Rust binary cut down to the sections its version readers look at
# (a Go backend's classify; rust_crate_version): a real layout, small.
cut_elf() { # FILE OUT SECTION...
    local f=$1 out=$2 args=()
    shift 2
    for s in "$@"; do args+=(-j "$s"); done
    objcopy "${args[@]}" "$f" "$out" 2>/dev/null && (($(stat -c %s "$out") <= ELF_MAX)) || rm -f "$out"
}

n=0
while read -r f; do
    n=$((n + 1))
    size=$(stat -L -c %s "$f")
    if ((size <= ELF_MAX)); then
        cp -L "$f" "$SEEDS/elf/$n-$(basename "$f")"
    fi
    # (of the Go samples, one build per toolchain: the others' sections are alike)
    if [[ $f != */go-samples/* || $f == */default/* ]] && readelf -S "$f" 2>/dev/null | grep -q go.buildinfo; then
        cut_elf "$f" "$SEEDS/elf/$n-go-$(basename "$f")" .go.buildinfo .noptrdata .note.go.buildid \
            .rodata .data
    fi
    # The Go parsers' input: each section that holds one (a table cut to 64 KiB).
    objcopy -O binary --only-section=.go.buildinfo "$f" "$SEEDS/gopclntab/$n.buildinfo" 2>/dev/null || true
    if objcopy -O binary --only-section=.gopclntab "$f" "$SEEDS/gopclntab/$n.pclntab" 2>/dev/null; then
        truncate -s '<65536' "$SEEDS/gopclntab/$n.pclntab"
    fi
    # The code of the TLS entry points, as the planner decodes it.
    { nm -D --defined-only -S "$f"; nm --defined-only -S "$f"; } 2>/dev/null | sed 's/@.*//' | \
        awk '$3 ~ /^[tT]$/ && $4 ~ /^(SSL_write|SSL_read|SSL_write_ex|SSL_read_ex|ssl_write_internal|ssl_read_internal|gnutls_record_send|gnutls_record_recv|PR_Write|PR_Read|crypto\/tls\.\(\*Conn\)\.(Write|Read))$/ {print $1, $2, $4}' | \
        sort -u -k3,3 | \
        while read -r addr len name; do
            off=$(objdump -F --start-address=0x$addr --stop-address=$((0x$addr + 1)) -d "$f" 2>/dev/null | \
                  sed -n 's/.*File Offset: 0x\([0-9a-f]*\).*/\1/p' | head -1)
            [[ -z $off ]] || dd if="$f" of="$SEEDS/x86/$n-${name//[^A-Za-z_]/_}" iflag=skip_bytes,count_bytes \
                bs=4096 skip=$((0x$off)) count=$((0x$len > 4096 ? 4096 : 0x$len)) status=none
        done
    # Rust symbols (legacy _ZN...17h<hash>E and v0 _R...) and crate paths.
    nm "$f" 2>/dev/null | awk '$3 ~ /^(_ZN.*17h[0-9a-f]{16}E|_R)/ {print $3}' | head -n 200 | \
        split -l 1 -a 4 - "$SEEDS/rustsym/$n-sym-" || true
done < <(elf_files)
find "$SEEDS/gopclntab" "$SEEDS/x86" -size 0 -delete

# Rust binaries are built in containers only: the rustls fixture's, copied out
# of its image when there is one.
if command -v docker >/dev/null && docker image inspect tlsprobe/fixture-rustls:tokio >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    cid=$(docker create tlsprobe/fixture-rustls:tokio /bin/true)
    if docker cp "$cid:/opt/tlsfix/tlsfix" "$tmp/tlsfix" 2>/dev/null; then
        cut_elf "$tmp/tlsfix" "$SEEDS/elf/rust-tlsfix" .comment .rodata
        nm "$tmp/tlsfix" | awk '$3 ~ /^(_ZN|_R)/ {print $3}' | grep -E 'rustls|tokio' | head -n 300 | \
            split -l 1 -a 4 - "$SEEDS/rustsym/rustls-sym-"
        strings -n 8 "$tmp/tlsfix" | grep -E '/(rustls|tokio-rustls)-[0-9]' | head -n 20 | \
            split -l 1 -a 4 - "$SEEDS/rustsym/rustls-path-"
    fi
    docker rm -f "$cid" >/dev/null
    rm -rf "$tmp"
fi
# Strip the newline split leaves: a symbol is the whole input.
for f in "$SEEDS"/rustsym/*; do [[ -f $f ]] && truncate -s -1 "$f"; done

# /proc lines, one a file.
split -l 1 -a 4 /proc/self/maps "$SEEDS/procmaps/maps-"
split -l 1 -a 4 /proc/self/mountinfo "$SEEDS/procmaps/mountinfo-"

# Event and transcript lines: up to 4 lines (each at most 4 KiB) of each
# capture and transcript of the matrix, when it has run.
n=0
while read -r f; do
    n=$((n + 1))
    awk 'length($0) <= 4096' "$f" | head -n 4 > "$SEEDS/record/$n.jsonl"
done < <(find "$BUILD/conform" -name '*.jsonl' 2>/dev/null | sort | awk -F/ '!seen[$(NF-2) "/" $(NF-1)]++' | head -n 300)
find "$SEEDS/record" -size 0 -delete

# The adapters' readers: first byte 0 eCapture, 1 bpftrace, 2 the report.
for f in tests/data/ecapture/*.txt; do
    b=$(basename "$f")
    { printf '\0'; head -c 16384 "$f"; } > "$SEEDS/adapters/ecapture-$b"
    { printf '\1'; head -c 16384 "$f"; } > "$SEEDS/adapters/bpftrace-$b"
done
if [[ -f $BUILD/scorecard.json ]]; then
    # Every list cut to its first two entries: a small scorecard of the real shape.
    { printf '\2'; python3 -c '
import json, sys
def cut(v):
    if isinstance(v, list): return [cut(x) for x in v[:2]]
    if isinstance(v, dict): return {k: cut(x) for k, x in v.items()}
    return v
print(json.dumps(cut(json.load(open(sys.argv[1])))))' "$BUILD/scorecard.json"; } > "$SEEDS/adapters/scorecard.json"
fi

for t in "$SEEDS"/*/; do
    log "$(basename "$t"): $(find "$t" -type f | wc -l) seeds, $(du -sh "$t" | cut -f1)"
done
touch "$SEEDS/.done"
