# Custom-BIO fixture (OpenSSL on memory BIOs) for one Debian suite:
#   docker build --build-arg SUITE=trixie -f docker/custom-bio.Dockerfile \
#     -t tlsprobe/fixture-custom-bio:trixie .   (context: repo root)
# The base image comes from scripts/images.sh (debootstrap + docker import).
ARG SUITE=trixie
# The same toolchain stage as docker/openssl.Dockerfile, line for line, so that
# Docker's layer cache shares it between the two images.
FROM tlsprobe/base:${SUITE} AS toolchain
# ARG, not ENV: build-time only, not kept in the fixture image.
ARG DEBIAN_FRONTEND=noninteractive
# The toolchain layer comes first so that editing fixture sources does not redo apt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make libssl-dev openssl \
 && rm -rf /var/lib/apt/lists/*

FROM toolchain
# Same relative layout as the repo: the Makefile reaches ../common, ../openssl
# (openssl_common.c) and the tracer's record writer (../../tracer).
COPY tracer/base64.c tracer/base64.h tracer/record.h tracer/record_write.c /src/tracer/
COPY fixtures/common/ /src/fixtures/common/
COPY fixtures/openssl/openssl_common.c fixtures/openssl/openssl_common.h /src/fixtures/openssl/
COPY fixtures/custom-bio/ /src/fixtures/custom-bio/
RUN make -C /src/fixtures/custom-bio OUT=/opt/tlsfix \
 && test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh
