# Multi-stage build: install and build the console, then a slim runtime with production deps.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/dci/package.json packages/dci/
COPY packages/db/package.json packages/db/
COPY apps/server/package.json apps/server/
COPY apps/admin/package.json apps/admin/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:admin

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production DEMO_DATA=false PORT=8080
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/dci/package.json packages/dci/
COPY packages/db/package.json packages/db/
COPY apps/server/package.json apps/server/
COPY apps/admin/package.json apps/admin/
COPY e2e/package.json e2e/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY packages packages
COPY apps/server apps/server
COPY --from=build /app/apps/admin/dist apps/admin/dist
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "apps/server/src/main.ts"]
