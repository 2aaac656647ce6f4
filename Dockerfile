# syntax=docker/dockerfile:1
# TicketLens: built with the official Rust image, run on Debian slim as a non-root user.
#
#   docker build -t ticketlens .
#   docker run --rm -p 8080:8080 -e TICKETLENS_SERVER__LISTEN=0.0.0.0:8080 ticketlens
#
# The service listens on 127.0.0.1:8080 unless told otherwise (the Helm chart sets
# server.listen = "0.0.0.0:<port>" in its configuration file). The image sets no
# TICKETLENS_* variable on purpose: environment variables override the configuration file.

ARG RUST_VERSION=1.95
# Builder and runtime share the Debian release, so the binary finds the glibc it was linked to.
ARG DEBIAN_RELEASE=trixie

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS builder
WORKDIR /build
# What the release build reads: manifest and lock, the sources, the migrations (embedded at
# compile time by sqlx::migrate!) and the bench target Cargo.toml declares.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY benches ./benches
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin ticketlens \
    && install -D -m 0755 target/release/ticketlens /out/ticketlens

FROM debian:${DEBIAN_RELEASE}-slim
# CA certificates for HTTPS to Jira, Linear and git remotes (rustls reads the system store);
# git, which clones and fetches repositories given by URL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
# A numeric uid/gid (Kubernetes runAsNonRoot can only verify numbers); the chart's
# podSecurityContext uses the same ids. /var/lib/ticketlens holds clones, indexes and the
# SQLite file (the chart mounts a volume there).
RUN groupadd --system --gid 10001 ticketlens \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /var/lib/ticketlens --shell /usr/sbin/nologin ticketlens \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/ticketlens
COPY --from=builder /out/ticketlens /usr/local/bin/ticketlens
# Fails the build if a shared library the binary needs is missing here.
RUN ["ticketlens", "--version"]
RUN ["git", "--version"]
USER 10001:10001
WORKDIR /var/lib/ticketlens
EXPOSE 8080
ENTRYPOINT ["ticketlens"]
CMD ["serve"]
