# The rustls fixture (fixtures/rustls), one image per manifest variant:
#   docker build --build-arg SUITE=trixie --build-arg VARIANT=tokio \
#     -f docker/rustls.Dockerfile -t tlsprobe/fixture-rustls:tokio .   (context: repo root)
# Built by Debian trixie's own Rust (rustc/cargo 1.85) from the crates that
# fixtures/rustls/Cargo.lock pins (crates.io, --locked). VARIANT:
#   tokio           tokio-rustls on tokio, hyper; release profile: lto = "fat",
#                   codegen-units = 1, opt-level 3, symbols kept (the inlined case)
#   tokio-thin      the same with cargo's default release settings (profile `thin`:
#                   no cross-crate LTO, 16 codegen units)
#   blocking        rustls::StreamOwned over std::net (feature `blocking`), release profile
#   tokio-stripped  the `tokio` binary through `strip --strip-all` (what cargo's
#                   strip = "symbols" does at link time, without building it again)
# The build stage depends on SUITE only up to its last step: the crates are
# fetched in a layer of their own that only Cargo.toml/Cargo.lock invalidate (a
# warm build is offline), then tokio, tokio-stripped and blocking are built into
# /build/VARIANT/ in one layer they share. VARIANT is declared only after it: the
# `thin` profile (2 min here) is built in a step of its own, for tokio-thin only,
# so that make test, which leaves that row out, never builds it. The last stage
# copies one variant into /opt/tlsfix (the binary, run.sh and build-info), with no
# toolchain. The base images come from scripts/images.sh;
# builds run with --network host (apt, crates.io).
ARG SUITE=trixie
FROM tlsprobe/base:${SUITE} AS build
ARG SUITE
ARG DEBIAN_FRONTEND=noninteractive
# The host's own trust anchors (/usr/local/share/ca-certificates): crates.io may be
# reachable only through a TLS-inspecting proxy. Only this stage, which the fixture
# image does not keep, trusts them (cargo's libcurl reads the system store).
ARG HOST_CAS=
RUN set -e; \
    case "$SUITE" in \
        trixie) ;; \
        *) echo "rustls.Dockerfile: Cargo.lock is made for trixie's rustc 1.85, not $SUITE" >&2; exit 1 ;; \
    esac; \
    apt-get update; \
    apt-get install -y --no-install-recommends rustc cargo gcc libc6-dev ca-certificates binutils; \
    rm -rf /var/lib/apt/lists/*; \
    if [ -n "$HOST_CAS" ] && [ -d /usr/local/share/ca-certificates ]; then \
        printf '%s\n' "$HOST_CAS" > /usr/local/share/ca-certificates/tlsprobe-host.crt; \
        update-ca-certificates; \
    fi
ENV CARGO_HOME=/tmp/cargo CARGO_TARGET_DIR=/tmp/target HOME=/root
# The crates, in a layer of their own: only the manifest and the lock file (and a
# placeholder main) so that editing the sources does not fetch them again.
COPY fixtures/rustls/Cargo.toml fixtures/rustls/Cargo.lock /src/rustls/
COPY fixtures/rustls/.cargo/ /src/rustls/.cargo/
RUN set -e; cd /src/rustls; mkdir -p src; \
    echo 'fn main() {}' > src/main.rs; echo 'fn main() {}' > build.rs; \
    cargo --version; cargo fetch --locked; \
    rm -rf src build.rs
COPY fixtures/rustls/ /src/rustls/
COPY fixtures/common/run.sh /src/run.sh
# fixtures/rustls/build-variant.sh VARIANT: one cargo build (--offline --locked:
# exactly the fetched crates) into /build/VARIANT/.
RUN set -e; cd /src/rustls; rm -rf target; rustc --version; \
    sh build-variant.sh tokio; \
    sh build-variant.sh blocking; \
    mkdir -p /build/tokio-stripped; cp /build/tokio/run.sh /build/tokio-stripped/; \
    strip --strip-all -o /build/tokio-stripped/tlsfix /build/tokio/tlsfix; \
    { echo "variant tokio-stripped: strip --strip-all of the tokio build"; \
      sed 1d /build/tokio/build-info; } > /build/tokio-stripped/build-info; \
    nm /build/tokio/tlsfix | grep -q '_ZN6rustls'; \
    ! nm /build/tokio-stripped/tlsfix 2>/dev/null | grep -q rustls
ARG VARIANT
RUN if [ "$VARIANT" = tokio-thin ]; then cd /src/rustls && sh build-variant.sh tokio-thin; fi

# The fixture image: the suite's base and one build, no toolchain.
FROM tlsprobe/base:${SUITE}
ARG VARIANT
COPY --from=build /build/${VARIANT}/ /opt/tlsfix/
RUN test -x /opt/tlsfix/tlsfix && test -x /opt/tlsfix/run.sh \
 && /opt/tlsfix/tlsfix --help >/dev/null && cat /opt/tlsfix/build-info
