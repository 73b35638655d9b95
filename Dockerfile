# syntax=docker/dockerfile:1
# Build a static recap binary, then ship it alone on a distroless base.
# One image runs every role: `recap serve` (the default) and `recap worker`.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The context has no .git: the version comes from here (recap --version),
# e.g. --build-arg RECAP_VERSION=$(git describe --always --dirty).
ARG RECAP_VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${RECAP_VERSION}" -o /out/recap ./cmd/recap && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recap /usr/local/bin/recap
# The home of the default database when no PostgreSQL is set
# ($XDG_DATA_HOME/recap/recap.db). It is a volume, so the database
# outlives the container.
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME ["/data"]
WORKDIR /data
ENV XDG_DATA_HOME=/data
ENV RECAP_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
# No shell or curl here: recap checks itself. It GETs /healthz on
# RECAP_METRICS_ADDR when set (recap worker), else on RECAP_HTTP_ADDR.
HEALTHCHECK --interval=15s --timeout=6s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/recap", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/recap"]
CMD ["serve"]
