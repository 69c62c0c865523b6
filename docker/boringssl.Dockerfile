# BoringSSL fixture (trixie): docker build --build-arg SUITE=trixie --build-arg VARIANT=shared \
#   -f docker/boringssl.Dockerfile -t tlsprobe/fixture-boringssl:shared .   (context: repo root)
# The base image comes from scripts/images.sh (debootstrap + docker import), which passes
# VARIANT=<the manifest's variant name>:
#   shared    tlsfix linked against android-libboringssl (libssl.so.0, libcrypto.so.0)
#   static    tlsfix with libssl.a/libcrypto.a built here from the orig tarball of Debian's
#             android-platform-external-boringssl, -fvisibility=hidden: SSL_read/SSL_write
#             are LOCAL .symtab symbols of tlsfix, absent from its .dynsym
#   stripped  the static build, strip --strip-all
# The legacy builder builds every stage; each is cached, and the static libraries (a
# ~75 s build) are a stage of their own that no fixture source change invalidates.
ARG SUITE=trixie
ARG VARIANT=shared
FROM tlsprobe/base:${SUITE} AS toolchain
# ARG, not ENV: build-time only, not kept in the fixture image.
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make binutils \
 && rm -rf /var/lib/apt/lists/*

# libcrypto.a, libssl.a and the headers in /opt/boringssl, from the source package's
# orig tarball (AOSP's external/boringssl): android-sources.cmake lists the sources, the
# x86-64 assembly comes pregenerated (no Go, no Perl). The deb-src lines live only in
# this stage. The mirror serves the orig tarball, not always the .dsc, so apt-get source
# may fail on the rest: the tarball is checked against the sha256 of the suite's signed
# Sources index instead.
FROM toolchain AS boringssl-static
ARG DEBIAN_FRONTEND=noninteractive
ARG PKG=android-platform-external-boringssl
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake ninja-build g++ xz-utils \
 && sed -n 's/^deb \([^ ]*\) \([^ ]*\) main$/deb-src \1 \2 main/p' /etc/apt/sources.list \
      > /etc/apt/sources.list.d/deb-src.list \
 && apt-get update \
 && mkdir -p /tmp/bssl && cd /tmp/bssl \
 && (apt-get source --download-only "$PKG" || true) \
 && orig=$(ls ${PKG}_*.orig.tar.xz) \
 && apt-cache showsrc "$PKG" | awk -v f="$orig" '/^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == f { print $1 "  " f; exit }' > sum \
 && test -s sum && sha256sum -c sum \
 && mkdir src && tar -C src --strip-components=1 -xf "$orig" \
 && echo "$orig" > /tmp/bssl/ORIG \
 && rm -f "$orig" \
 && rm -rf /var/lib/apt/lists/*
COPY fixtures/boringssl/static.cmake /tmp/bssl/src/CMakeLists.txt
RUN cmake -G Ninja -S /tmp/bssl/src -B /tmp/bssl/build -DCMAKE_BUILD_TYPE=None \
 && ninja -C /tmp/bssl/build \
 && mkdir -p /opt/boringssl/lib \
 && cp /tmp/bssl/build/libssl.a /tmp/bssl/build/libcrypto.a /opt/boringssl/lib/ \
 && cp -r /tmp/bssl/src/src/include /opt/boringssl/include \
 && cp /tmp/bssl/ORIG /tmp/bssl/src/BORINGSSL_REVISION /opt/boringssl/ \
 && rm -rf /tmp/bssl

FROM toolchain AS build-shared
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends android-libboringssl-dev \
 && rm -rf /var/lib/apt/lists/*

FROM toolchain AS build-static
COPY --from=boringssl-static /opt/boringssl /opt/boringssl

FROM build-static AS build-stripped

FROM build-${VARIANT}
ARG VARIANT
# Same relative layout as the repo: the fixture's Makefile reaches ../openssl (its
# sources), ../common and the tracer's record writer (../../tracer). It installs run.sh
# next to tlsfix.
COPY tracer/base64.c tracer/base64.h tracer/record.h tracer/record_write.c /src/tracer/
COPY fixtures/common/ /src/fixtures/common/
COPY fixtures/openssl/ /src/fixtures/openssl/
COPY fixtures/boringssl/ /src/fixtures/boringssl/
RUN case "$VARIANT" in \
      shared) make -C /src/fixtures/boringssl OUT=/opt/tlsfix BORINGSSL=shared ;; \
      static|stripped) make -C /src/fixtures/boringssl OUT=/opt/tlsfix BORINGSSL=static ;; \
      *) echo "VARIANT must be shared, static or stripped, not '$VARIANT'" >&2; exit 1 ;; \
    esac \
 && if [ "$VARIANT" = stripped ]; then strip --strip-all /opt/tlsfix/tlsfix; fi \
 && test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh \
 && /opt/tlsfix/tlsfix list >/dev/null
