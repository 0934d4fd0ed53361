# One image for every healstream service; docker-compose.yml picks the service by command.
FROM node:24.22.3-slim
WORKDIR /app
RUN corepack enable && corepack prepare pnpm@10.34.8 --activate
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
# The patched dependencies (patchedDependencies in pnpm-workspace.yaml), applied by the install.
COPY patches patches
COPY packages packages
COPY services services
COPY schemas schemas
COPY policies policies
COPY components.yaml healstream ./
COPY scripts/build.ts scripts/
COPY infra infra
RUN pnpm install --frozen-lockfile --prod=false
# Every service and the CLI compiled to dist/ (scripts/build.ts): containers start node on
# JavaScript, with no TypeScript loader in the process.
RUN node scripts/build.ts
ENV NODE_ENV=production
# SERVICE_ENV of packages/cli/src/service-command.ts: fewer malloc arenas, less resident memory.
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=20", "dist/services/detector.js"]
