# GnuTLS fixture for one Debian suite: docker build --build-arg SUITE=bookworm \
#   -f docker/gnutls.Dockerfile -t tlsprobe/fixture-gnutls:bookworm .   (context: repo root)
# The base image comes from scripts/images.sh (debootstrap + docker import).
ARG SUITE=bookworm
FROM tlsprobe/base:${SUITE} AS toolchain
# ARG, not ENV: build-time only, not kept in the fixture image.
ARG DEBIAN_FRONTEND=noninteractive
# The toolchain layer comes first so that editing fixture sources does not redo apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make libgnutls28-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

FROM toolchain
# Same relative layout as the repo: the fixture's Makefile reaches ../common and
# the tracer's record writer (../../tracer). It installs run.sh next to tlsfix.
COPY tracer/base64.c tracer/base64.h tracer/record.h tracer/record_write.c /src/tracer/
COPY fixtures/common/ /src/fixtures/common/
COPY fixtures/gnutls/ /src/fixtures/gnutls/
RUN make -C /src/fixtures/gnutls OUT=/opt/tlsfix \
 && test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh
