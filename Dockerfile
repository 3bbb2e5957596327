# One image for the api, worker and web services of docker-compose.yml.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core curl ca-certificates procps postgresql-client pocketsphinx pocketsphinx-en-us libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run generate \
 && npm run build
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
