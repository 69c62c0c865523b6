# Static OpenSSL fixture for one variant: docker build --build-arg SUITE=bookworm \
#   --build-arg VARIANT=symbols|stripped -f docker/openssl-static.Dockerfile \
#   -t tlsprobe/fixture-openssl-static:VARIANT .   (context: repo root)
# The base image comes from scripts/images.sh (debootstrap + docker import).
# The toolchain stage is docker/openssl.Dockerfile's, word for word, so that
# Docker's layer cache shares it (libssl-dev also ships libssl.a, libcrypto.a).
ARG SUITE=bookworm
FROM tlsprobe/base:${SUITE} AS toolchain
# ARG, not ENV: build-time only, not kept in the fixture image.
ARG DEBIAN_FRONTEND=noninteractive
# The toolchain layer comes first so that editing fixture sources does not redo apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make libssl-dev openssl \
 && rm -rf /var/lib/apt/lists/*

FROM toolchain
ARG VARIANT=symbols
# Same relative layout as the repo: fixtures/openssl-static/Makefile builds the
# sources of ../openssl and reaches ../common and the tracer's record writer
# (../../tracer). It installs run.sh next to tlsfix.
COPY tracer/base64.c tracer/base64.h tracer/record.h tracer/record_write.c /src/tracer/
COPY fixtures/common/ /src/fixtures/common/
COPY fixtures/openssl/ /src/fixtures/openssl/
COPY fixtures/openssl-static/ /src/fixtures/openssl-static/
RUN make -C /src/fixtures/openssl-static VARIANT=${VARIANT} OUT=/opt/tlsfix \
 && test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh \
 && ! ldd /opt/tlsfix/tlsfix | grep -E 'libssl|libcrypto'
