# The DaBroker gateway on the official Swift image.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpq-dev libssl-dev libmariadb-dev libsqlite3-dev librabbitmq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked in: the runtime image needs only Debian's C libraries.
RUN swift build -c release --product dabroker --static-swift-stdlib

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpq5 libmariadb3 libsqlite3-0 librabbitmq4 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/dabroker /usr/local/bin/dabroker
COPY migrations /opt/dabroker/migrations
ENV DABROKER_MIGRATIONS=/opt/dabroker/migrations
EXPOSE 8080
ENTRYPOINT ["dabroker"]
CMD ["serve", "--config", "/etc/dabroker/dabroker.yaml"]
