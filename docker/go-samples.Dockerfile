# The Go parser samples (scripts/go-samples.sh builds one image per toolchain):
#   docker build --build-arg SUITE=bookworm --build-arg GO=1.22 \
#     --build-arg BACKPORTS=bookworm-backports -f docker/go-samples.Dockerfile .
# The toolchain is Debian's golang-$GO-go of $SUITE (from $BACKPORTS when set);
# TOOLCHAIN=go1.27.3 makes that go command fetch the named toolchain from the Go
# module proxy instead (the one approved way to the newest Go; needs the host's
# network: the build runs with --network host). The base image comes from
# scripts/images.sh (debootstrap + docker import).
# Result, in /out: BUILD/tlsdial for BUILD in default, stripped, nocgo, pie;
# version (`go version FILE` of each), truth.txt (tests/go-samples/truth) and
# rets.txt: "ret BUILD FUNC ADDR" for each RET `go tool objdump` (Go's own
# disassembler) shows in (*Conn).Write/Read of the builds with symbols.
ARG SUITE=bookworm
FROM tlsprobe/base:${SUITE}
ARG DEBIAN_FRONTEND=noninteractive
ARG GO=1.19
ARG BACKPORTS=
# gcc and libc6-dev: the default build links net's cgo resolver.
RUN if [ -n "$BACKPORTS" ]; then \
        sed -n "s/^deb \([^ ]*\) [^ -]* main$/deb \1 $BACKPORTS main/p" /etc/apt/sources.list \
            | head -n 1 > /etc/apt/sources.list.d/backports.list \
     && test -s /etc/apt/sources.list.d/backports.list; \
    fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends ${BACKPORTS:+-t $BACKPORTS} golang-$GO-go \
      gcc libc6-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/go-${GO}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOCACHE=/tmp/gocache GOPATH=/tmp/gopath
ARG TOOLCHAIN=
# The host's own trust anchors (/usr/local/share/ca-certificates), for a
# network that reaches the Go module proxy only through a TLS-inspecting
# proxy; passed for the TOOLCHAIN build only.
ARG HOST_CAS=
RUN if [ -n "$HOST_CAS" ]; then \
        printf '%s\n' "$HOST_CAS" > /usr/local/share/ca-certificates/tlsprobe-host.crt \
     && update-ca-certificates; \
    fi
COPY tests/go-samples/ /src/
WORKDIR /src
# GOTOOLCHAIN=local and GOPROXY=off keep a Debian toolchain off the network;
# with TOOLCHAIN set, the go command downloads it (checked against sum.golang.org).
RUN set -e; \
    if [ -n "$TOOLCHAIN" ]; then export GOTOOLCHAIN=$TOOLCHAIN; \
    else export GOTOOLCHAIN=local GOPROXY=off; fi; \
    go version; \
    go build -o /out/default/tlsdial ./tlsdial; \
    go build -ldflags='-s -w' -o /out/stripped/tlsdial ./tlsdial; \
    CGO_ENABLED=0 go build -o /out/nocgo/tlsdial ./tlsdial; \
    go build -buildmode=pie -o /out/pie/tlsdial ./tlsdial; \
    go build -o /tmp/truth ./truth; \
    cd /out; \
    for b in default stripped nocgo pie; do \
        echo "$b $(go version $b/tlsdial | sed 's/^[^:]*: //')"; \
    done > version; \
    /tmp/truth default/tlsdial stripped/tlsdial nocgo/tlsdial pie/tlsdial > truth.txt; \
    for b in default nocgo pie; do \
        go tool objdump -s '^crypto/tls\.\(\*Conn\)\.(Write|Read)$' $b/tlsdial \
        | awk -v b=$b '/^TEXT/ { f = $2; sub(/\(SB\)$/, "", f) } $NF == "RET" { print "ret", b, f, $2 }'; \
    done > rets.txt; \
    test -s rets.txt; \
    cat version truth.txt rets.txt
