# The Go fixture (fixtures/go), one image per manifest variant:
#   docker build --build-arg SUITE=trixie --build-arg VARIANT=1.24-pie \
#     -f docker/go.Dockerfile -t tlsprobe/fixture-go:1.24-pie .   (context: repo root)
# VARIANT is GO or GO-BUILD: GO 1.15 (bullseye), 1.19 and 1.22 (bookworm, 1.22 from
# bookworm-backports), 1.24 and 1.27 (trixie; 1.27 is go1.27.3, which trixie's go
# command fetches from the Go module proxy: GOTOOLCHAIN, the one approved way to the
# newest Go); BUILD none (`go build`), stripped (-ldflags='-s -w'), nocgo
# (CGO_ENABLED=0) or pie (-buildmode=pie).
# The expensive stage depends on SUITE only: it installs the suite's toolchains and
# builds every build of every Go version of the suite into /build/VARIANT/ (one
# GOCACHE), so that the suite's 4 or 8 variants share it; VARIANT is declared only
# in the last stage, which copies one of them into /opt/tlsfix. Each Go version
# builds from its own copy of the sources with its own `go mod init` go.mod (the
# GODEBUG defaults of that version). The base images come from scripts/images.sh
# (debootstrap + docker import); builds run with --network host (apt, the proxy).
ARG SUITE=trixie
FROM tlsprobe/base:${SUITE} AS build
ARG SUITE
ARG DEBIAN_FRONTEND=noninteractive
# The host's own trust anchors (/usr/local/share/ca-certificates): the Go module
# proxy may be reachable only through a TLS-inspecting proxy. Only this stage,
# which the fixture image does not keep, trusts them.
ARG HOST_CAS=
# GOS: the suite's Go versions, each "NAME:DEBIAN-GO[:TOOLCHAIN]"; gcc and libc6-dev
# for the default (cgo) build.
RUN set -e; \
    case "$SUITE" in \
        bullseye) gos="1.15:1.15"; pkgs="golang-1.15-go"; bpo= ;; \
        bookworm) gos="1.19:1.19 1.22:1.22"; pkgs="golang-1.19-go"; bpo="golang-1.22-go" ;; \
        trixie)   gos="1.24:1.24 1.27:1.24:go1.27.3"; pkgs="golang-1.24-go ca-certificates"; bpo= ;; \
        *) echo "go.Dockerfile: no Go toolchain for suite $SUITE" >&2; exit 1 ;; \
    esac; \
    echo "$gos" > /etc/tlsfix-gos; \
    if [ -n "$bpo" ]; then \
        sed -n "s/^deb \([^ ]*\) [^ -]* main$/deb \1 $SUITE-backports main/p" /etc/apt/sources.list \
            | head -n 1 > /etc/apt/sources.list.d/backports.list; \
        test -s /etc/apt/sources.list.d/backports.list; \
    fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends $pkgs gcc libc6-dev; \
    if [ -n "$bpo" ]; then apt-get install -y --no-install-recommends -t "$SUITE-backports" $bpo; fi; \
    rm -rf /var/lib/apt/lists/*; \
    if [ -n "$HOST_CAS" ] && [ -d /usr/local/share/ca-certificates ]; then \
        printf '%s\n' "$HOST_CAS" > /usr/local/share/ca-certificates/tlsprobe-host.crt; \
        update-ca-certificates; \
    fi
ENV GOCACHE=/tmp/gocache GOPATH=/tmp/gopath HOME=/root
# The fetched toolchain first, in a layer of its own (editing the sources does not
# fetch it again; the go command checks it against sum.golang.org), linked as
# /usr/lib/go-NAME like Debian's: from here on it is a local toolchain too.
RUN set -e; \
    for g in $(cat /etc/tlsfix-gos); do \
        name=$(echo "$g" | cut -d: -f1); deb=$(echo "$g" | cut -d: -f2); tc=$(echo "$g" | cut -d: -f3); \
        [ -n "$tc" ] || continue; \
        GOTOOLCHAIN=$tc /usr/lib/go-$deb/bin/go version; \
        root=$(GOTOOLCHAIN=$tc /usr/lib/go-$deb/bin/go env GOROOT); \
        test -x "$root/bin/go"; ln -sfn "$root" /usr/lib/go-$name; \
    done
COPY fixtures/go/ /src/go/
COPY fixtures/common/run.sh /src/run.sh
# GOTOOLCHAIN=local and GOPROXY=off keep every toolchain off the network.
RUN set -e; \
    for g in $(cat /etc/tlsfix-gos); do \
        name=$(echo "$g" | cut -d: -f1); \
        export PATH=/usr/lib/go-$name/bin:/usr/sbin:/usr/bin:/sbin:/bin GOTOOLCHAIN=local GOPROXY=off; \
        rm -rf /tmp/src-$name; cp -r /src/go /tmp/src-$name; cd /tmp/src-$name; \
        rm -f go.mod go.sum; go mod init tlsfix; cat go.mod; go version; \
        for b in default stripped nocgo pie; do \
            v=$name; [ $b = default ] || v=$name-$b; \
            case $b in \
                default)  go build -o /build/$v/tlsfix . ;; \
                stripped) go build -ldflags='-s -w' -o /build/$v/tlsfix . ;; \
                nocgo)    CGO_ENABLED=0 go build -o /build/$v/tlsfix . ;; \
                pie)      go build -buildmode=pie -o /build/$v/tlsfix . ;; \
            esac; \
            cp /src/run.sh /build/$v/run.sh; chmod 755 /build/$v/run.sh; \
            go version /build/$v/tlsfix | sed 's/^[^:]*: //' > /build/$v/go-version; \
            echo "$v: $(cat /build/$v/go-version)"; \
        done; \
    done

# The fixture image: the suite's base and one build, no toolchain.
FROM tlsprobe/base:${SUITE}
ARG VARIANT
COPY --from=build /build/${VARIANT}/ /opt/tlsfix/
RUN test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh \
 && /opt/tlsfix/tlsfix --help >/dev/null && cat /opt/tlsfix/go-version
