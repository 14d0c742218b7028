# syntax=docker/dockerfile:1
# tlsdoctor in a small image: built with the Rust toolchain, shipped on distroless (glibc, CA
# certificates, no shell), run as a non-root user.
#
#   docker build -t tlsdoctor .
#   docker run --rm tlsdoctor check example.com --format json

# The minimum Rust version the crate declares (Cargo.toml rust-version).
ARG RUST_VERSION=1.85

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -D target/release/tlsdoctor /out/tlsdoctor

# Debian 12 like the builder, so the binary finds the glibc it was linked against; the image
# holds ca-certificates, the "system" store tlsdoctor reads by default.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/tlsdoctor /usr/local/bin/tlsdoctor
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/tlsdoctor"]
CMD ["--help"]
