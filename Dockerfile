# Multi-stage build: the workspace manifests once, the console built with dev dependencies,
# then a runtime with production dependencies only.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/dci/package.json packages/dci/
COPY packages/db/package.json packages/db/
COPY apps/server/package.json apps/server/
COPY apps/admin/package.json apps/admin/
COPY e2e/package.json e2e/

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:admin

FROM manifests AS runtime
ENV NODE_ENV=production DEMO_DATA=false PORT=8080
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY packages packages
COPY apps/server apps/server
COPY --from=build /app/apps/admin/dist apps/admin/dist
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "--import", "./apps/server/src/tracing.ts", "apps/server/src/main.ts"]
