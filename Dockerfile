# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY openapi ./openapi
RUN npm run build

# Run: production dependencies only, non-root, data on a volume.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=8080 PGLITE_DATA_DIR=/data/pglite MAPPINGS_DIR=/app/mappings
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY openapi ./openapi
COPY console ./console
COPY mappings ./mappings
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The mapping-table CLI ships in the image too: docker run … node dist/src/cli/mappings.js validate
# Heap sized for a service (same flags as `npm run start:prod`; figures from `npm run bench`): a 256 MB
# old-space limit makes V8 collect before its heap grows large (the default scales with the machine's memory),
# and 8 MB semi-spaces halve the young generation. Peak RSS under load: Postgres ~165 MB, PGlite ~230 MB.
# A Postgres deployment that prefers throughput to memory can set --max-semi-space-size=16 (≈ +15 % burst
# throughput, +15 MB) with -e NODE_OPTIONS=...
# At most two glibc malloc arenas (as `npm run start:prod` sets): by default each thread that allocates may
# get its own, up to eight per core, each keeping what was freed in it (bench, PGlite: peak RSS 259–266 → 228 MB).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8" MALLOC_ARENA_MAX=2
CMD ["node", "dist/src/main.js"]
