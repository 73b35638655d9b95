# syntax=docker/dockerfile:1
# Build a static recap binary, then ship it alone on a distroless base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/recap ./cmd/recap && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recap /usr/local/bin/recap
# A writable home for the default sqlite:recap.db when no PostgreSQL is set.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV RECAP_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/recap"]
CMD ["serve"]
