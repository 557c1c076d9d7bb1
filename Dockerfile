# lgsp-hub: multi-stage build, non-root runtime, healthcheck.
# Roles: docker run … lgsp-hub api | worker | sandbox | migrate | all
# Node 22 (LTS): the runtime CI also runs the whole test suite on (.ci/run).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
# The operator console's sources (issue 15): `npm run build` bundles them into dist/console.
COPY console ./console
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/lgsp-hub \
    TZ=Asia/Ho_Chi_Minh
WORKDIR /app
# The blob folder exists in the image, owned by the runtime user, so a named volume mounted
# there (docker-compose.yml) starts with the right owner.
RUN mkdir -p /var/lib/lgsp-hub/blobs /etc/lgsp-hub && chown -R node:node /var/lib/lgsp-hub
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node config ./config
USER node
EXPOSE 8080
# Readiness of the API role (database and Redis); worker and sandbox containers override it in compose.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["api"]
