# syntax=docker/dockerfile:1
# Tocsin in embedded mode: PGlite in /data, the in-process scheduler, one process.
#
# Tocsin binds loopback unless TLS is on: to publish 8080 with `-p`, set TOCSIN_TLS=on and
# TOCSIN_HTTP_HOST=0.0.0.0 (a self-signed certificate is made in /data/tls on first start, or
# mount TOCSIN_TLS_CERT/_KEY); otherwise run a proxy in the container's network namespace (a pod
# sidecar, or `docker run --network container:<tocsin>`).

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a runtime dependency (Tocsin runs its TypeScript sources directly), so it survives --omit=dev.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The console's sources and build configuration only (see .dockerignore).
COPY vite.config.ts tsconfig.json ./
COPY src/web ./src/web
RUN npm run build:web

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TOCSIN_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# package.json, bin, src, machines and adapters: .dockerignore lets nothing else in (and an
# empty adapters/, which git does not keep, is no error this way).
COPY . .
# The web console, built in the `web` stage (dist/ is not in the build context).
COPY --from=web /app/dist/web ./dist/web
# The sources stay root-owned and read-only for the service; only /data is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Exec form: node is PID 1 and gets SIGTERM itself; `tocsin start` stops cleanly on it.
CMD ["node", "bin/tocsin.js", "start"]
