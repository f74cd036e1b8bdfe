# event-tool container image: the official Deno image, dependencies cached at build time,
# running as the image's non-root `deno` user (by its numeric ID, 1993, so that Kubernetes can
# verify runAsNonRoot) with only the permissions the tool needs.
FROM denoland/deno:2.9.6
WORKDIR /app
COPY deno.json deno.lock ./
COPY main.ts ./
COPY src ./src
COPY schemas ./schemas
# Installed and warmed as root: the code, node_modules and Deno's caches stay root's, readable but
# not writable by the runtime user, so nothing the worker runs can change what it runs (Compose
# has no read-only root file system). V8's code cache is warmed under the entrypoint's own flags:
# a cache written under other flags is not used, and the runtime user could not write one (each
# start would compile every module again: 350–550 ms of CPU, measured). Checked without Docker
# by running a copy as UID 1993: it reads the root-owned cache and cannot touch the code. (The
# base image gives $DENO_DIR to `deno`: it is taken back, or its owner could rewrite the cache.)
RUN deno install --frozen --entrypoint main.ts \
  && deno run --cached-only --allow-read --allow-env --allow-sys --v8-flags=--max-old-space-size=128,--max-semi-space-size=16,--initial-old-space-size=64 main.ts --version \
  && chown -R root:root /app "$DENO_DIR" && chmod -R go-w /app "$DENO_DIR"
USER 1993:1993
# The probes and Prometheus reach the metrics port from outside the container.
ENV METRICS_HOST=0.0.0.0
# V8 lets garbage pile up to hundreds of MB at thousands of events/s unless its old generation is
# capped at 128 MB (README, Performance: 64 MB halves throughput to garbage collection).
ENTRYPOINT ["deno", "run", "--cached-only", "--allow-net", "--allow-env", "--allow-read", "--allow-sys", "--v8-flags=--max-old-space-size=128,--max-semi-space-size=16,--initial-old-space-size=64", "main.ts"]
CMD ["worker"]
