# Multi-stage build: a static binary on a distroless base, running as non-root.
# Time zone data is compiled into the binary (time/tzdata), so schedules work in
# every IANA zone without /usr/share/zoneinfo.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/gateway ./cmd/gateway
# The data directory, made here because the distroless stage has no shell: copied
# with its owner set to nonroot, so a named volume mounted on it starts out owned by
# the user the gateway runs as (Docker copies the image's directory into a new
# volume, owner included).
RUN mkdir -p /out/data && chmod 0700 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gateway /gateway
COPY --from=build --chown=nonroot:nonroot /out/data /home/nonroot/data
USER nonroot:nonroot
WORKDIR /home/nonroot
ENV GATEWAY_ADDR=:8080 GATEWAY_DATA_DIR=/home/nonroot/data GATEWAY_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/home/nonroot/data"]
ENTRYPOINT ["/gateway"]
