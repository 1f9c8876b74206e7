# Multi-stage build: compile the server and the console with dev dependencies, then a runtime with
# production dependencies and the compiled output only, run by plain node as a non-root user.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/dci/package.json packages/dci/
COPY packages/db/package.json packages/db/
COPY packages/client/package.json packages/client/
COPY apps/server/package.json apps/server/
COPY apps/admin/package.json apps/admin/
COPY e2e/package.json e2e/

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY scripts/clean-build.js scripts/
COPY packages packages
COPY apps apps
RUN npm run build

FROM manifests AS runtime
# --conditions=production: our workspace packages resolve to their compiled dist, not to src.
ENV NODE_ENV=production NODE_OPTIONS=--conditions=production DEMO_DATA=false HOST=0.0.0.0 PORT=8080
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# What the compiled code reads at run time besides itself: the DCI spec files (/docs, validation).
COPY packages/dci/spec packages/dci/spec
COPY --from=build /app/packages/dci/dist packages/dci/dist
COPY --from=build /app/packages/db/dist packages/db/dist
COPY --from=build /app/packages/client/dist packages/client/dist
COPY --from=build /app/apps/server/dist apps/server/dist
COPY apps/server/bin apps/server/bin
COPY --from=build /app/apps/admin/dist apps/admin/dist
# DATA_DIR for a one-container try-out (embedded PostgreSQL, DEMO_DATA=true); unused with DATABASE_URL.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The server; `node apps/server/dist/worker.js` for a worker, `node apps/server/dist/cli.js` for the CLI.
CMD ["node", "--import", "./apps/server/dist/tracing.js", "apps/server/dist/main.js"]
