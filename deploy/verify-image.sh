#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman where no image registry can be reached, runs `serve` from
# the image and takes one upload through to a mosaic listed at GET /mosaic/. Minutes long, so not
# part of `npm test`; see docs/deployment.md. Needs root (debootstrap), podman, debootstrap, curl
# and Node.js 20 on the host.
#
# The base stands in for node:20-bookworm-slim: Debian bookworm made here with debootstrap, plus
# the host's node and npm (bookworm's own nodejs is 18) and a `node` user of uid 1000, as the
# official image has. The Dockerfile itself is the published one, given BASE.
#
#   VERIFY_PORT (18080)   host port the container's server listens on (host network)
#   VERIFY_TIMEOUT (300)  seconds to wait for the mosaic
#   VERIFY_WORK           scratch folder (/tmp/mosaicme-verify)
#   REBUILD_BASE=1        make the base again even when the image exists
#   KEEP_IMAGE=1          keep the app image (localhost/mosaicme:verify) afterwards
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${VERIFY_WORK:-/tmp/mosaicme-verify}
PORT=${VERIFY_PORT:-18080}
TIMEOUT=${VERIFY_TIMEOUT:-300}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_IMAGE=localhost/mosaicme-debian:bookworm
BASE_IMAGE=localhost/mosaicme-node:20-bookworm
APP_IMAGE=localhost/mosaicme:verify
CONTAINER=mosaicme-verify-$$
VOLUME=mosaicme-verify-$$
START=$SECONDS

step() { printf '==> [%4ss] %s\n' "$((SECONDS - START))" "$*"; }
fail() {
  printf '==> [%4ss] FAIL: %s\n' "$((SECONDS - START))" "$*"
  exit 1
}

# What the tools the script calls print goes to a log; a failing step shows its tail.
mkdir -p "$WORK"
LOG=$WORK/verify.log
: >"$LOG"
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 30 "$LOG" | sed 's/^/    /'
    fail "$* (full log: $LOG)"
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT
  if [ -n "${RUNNING:-}" ]; then
    if [ "$rc" -ne 0 ]; then
      echo '    last lines of the container log:'
      podman logs --tail 20 "$CONTAINER" 2>&1 | sed 's/^/    /' || true
    fi
    podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true
  fi
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  [ -n "${KEEP_IMAGE:-}" ] || podman rmi -f "$APP_IMAGE" >/dev/null 2>&1 || true
  # The build stage's image is left untagged; only those this run made go.
  local id
  for id in $(podman images -q --filter dangling=true 2>/dev/null); do
    [[ " $DANGLING_BEFORE " == *" $id "* ]] || podman rmi -f "$id" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK/rootfs" "$WORK/base-context"
  [ "$rc" -eq 0 ] && echo PASS || echo FAIL
  exit "$rc"
}
DANGLING_BEFORE=$(podman images -q --filter dangling=true 2>/dev/null | tr '\n' ' ' || true)
trap cleanup EXIT

step "checking the host"
[ "$(id -u)" -eq 0 ] || fail "run as root: debootstrap and podman's storage need it"
for tool in podman debootstrap curl node; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install podman debootstrap curl)"
done
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$("$NODE_BIN" --version)
[[ $NODE_VERSION == v20.* ]] || fail "the host's node is $NODE_VERSION; the image's base is Node.js 20"
NPM_DIR=$(readlink -f "$(dirname "$NODE_BIN")/../lib/node_modules/npm")
[ -f "$NPM_DIR/bin/npm-cli.js" ] || fail "npm not found beside $NODE_BIN (looked in $NPM_DIR)"
echo "    $(podman --version), node $NODE_VERSION, npm $("$NODE_BIN" "$NPM_DIR/bin/npm-cli.js" --version)"

# Sandboxes without CAP_SYS_RESOURCE cannot raise rlimits to podman's defaults, and crun refuses
# hybrid cgroups; runc with limits within the current ones runs there. Ordinary hosts keep
# podman's defaults.
OPTS=(--network host)
probe() {
  local image=$DEBIAN_IMAGE
  podman image exists "$image" || image=$BASE_IMAGE
  podman run --rm "${OPTS[@]}" "$image" true >>"$LOG" 2>&1
}

if [ -n "${REBUILD_BASE:-}" ] || ! podman image exists "$BASE_IMAGE"; then
  step "debootstrap bookworm (minbase) into $WORK/rootfs"
  rm -rf "$WORK/rootfs"
  run debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" "$MIRROR"
  step "importing it as $DEBIAN_IMAGE"
  run rm -rf "$WORK/rootfs/var/cache/apt/archives"/*.deb "$WORK/rootfs/var/lib/apt/lists"/*
  tar -C "$WORK/rootfs" -c . | podman import - "$DEBIAN_IMAGE" >>"$LOG" 2>&1 || fail "podman import"
  rm -rf "$WORK/rootfs"
else
  step "reusing $BASE_IMAGE (REBUILD_BASE=1 to make it again)"
fi

step "probing how containers run here"
if probe; then
  echo "    podman's defaults work"
else
  echo "    podman's defaults fail: $(tail -n 1 "$LOG")"
  command -v runc >/dev/null || fail "no way to run a container (apt-get install runc may help)"
  OPTS+=(--runtime runc --ulimit "nofile=1024:$(ulimit -Hn)" --ulimit nproc=8192:8192)
  probe || fail "no way to run a container: $(tail -n 1 "$LOG")"
  echo "    using: ${OPTS[*]}"
fi

if [ -n "${REBUILD_BASE:-}" ] || ! podman image exists "$BASE_IMAGE"; then
  step "adding node $NODE_VERSION, npm and the node user: $BASE_IMAGE"
  ctx=$WORK/base-context
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$NODE_BIN" "$ctx/node"
  cp -r "$NPM_DIR" "$ctx/npm"
  # Behind a TLS-inspecting proxy the host trusts an extra CA; npm in the build must too.
  ca_env=''
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$ctx/extra-ca.pem"
    ca_env='ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-extra-ca.pem'
  else
    : >"$ctx/extra-ca.pem"
  fi
  cat >"$ctx/Containerfile" <<EOF
FROM $DEBIAN_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY extra-ca.pem /etc/ssl/certs/host-extra-ca.pem
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
$ca_env
CMD ["node"]
EOF
  run podman build "${OPTS[@]}" --format docker -t "$BASE_IMAGE" "$ctx"
  rm -rf "$ctx"
fi

step "building deploy/Dockerfile with BASE=$BASE_IMAGE"
build_start=$SECONDS
run podman build "${OPTS[@]}" --format docker --build-arg "BASE=$BASE_IMAGE" \
  -f "$ROOT/deploy/Dockerfile" -t "$APP_IMAGE" "$ROOT"
size=$(podman image inspect --format '{{.Size}}' "$APP_IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo "    built in $((SECONDS - build_start)) s; image $((size / 1000000)) MB (base $((base_size / 1000000)) MB)"

step "checking the image's settings"
user=$(podman image inspect --format '{{.Config.User}}' "$APP_IMAGE")
health=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$APP_IMAGE")
volumes=$(podman image inspect --format '{{json .Config.Volumes}}' "$APP_IMAGE")
echo "    user: $user; volumes: $volumes"
[ "$user" = node ] || fail "the image runs as '$user', not node"
[[ $health == *healthz* ]] || fail "no HEALTHCHECK on /healthz (got $health)"
[[ $volumes == *'"/mosaic"'* ]] || fail "no /mosaic volume (got $volumes)"

step "making a test photo with the image's sharp"
podman run --rm "${OPTS[@]}" --entrypoint node "$APP_IMAGE" --input-type=module -e "
  import sharp from 'sharp';
  const w = 800, h = 600, px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 3, r = Math.hypot(x - 300, y - 250);
    px[i] = (x * 255) / w; px[i + 1] = r < 180 ? 220 : (y * 255) / h; px[i + 2] = 128 + 100 * Math.sin(x / 40);
  }
  process.stdout.write(await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg().toBuffer());
" >"$WORK/photo.jpg" 2>>"$LOG" || fail "could not make the photo (see $LOG)"
echo "    $(stat -c %s "$WORK/photo.jpg") bytes"

step "starting serve on port $PORT (volume $VOLUME at /mosaic)"
curl -s -o /dev/null "http://127.0.0.1:$PORT/" && fail "port $PORT is taken; set VERIFY_PORT"
run podman run -d --name "$CONTAINER" "${OPTS[@]}" -e "PORT=$PORT" -v "$VOLUME:/mosaic" "$APP_IMAGE"
RUNNING=1
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  [ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER")" = true ] || fail "the container stopped"
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || fail "no answer on /healthz within 60 s"
echo "    /healthz: $(curl -s "http://127.0.0.1:$PORT/healthz")"
echo "    /readyz: $(curl -s "http://127.0.0.1:$PORT/readyz")"
echo "    runs as: $(podman exec "$CONTAINER" id)"
if podman healthcheck run "$CONTAINER" >>"$LOG" 2>&1; then
  echo "    the image's HEALTHCHECK passes"
else
  fail "the image's HEALTHCHECK fails: $(tail -n 1 "$LOG")"
fi

step "POST /api/requests with the photo"
answer=$(curl -s -w ' %{http_code}' -F "photo=@$WORK/photo.jpg;type=image/jpeg" -F name=verify \
  "http://127.0.0.1:$PORT/api/requests")
echo "    $answer"
[[ $answer == *' 202' ]] || fail "the upload was not accepted"
id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' <<<"$answer")
[ -n "$id" ] || fail "no id in the answer"

step "waiting for mosaic $id in GET /mosaic/ (at most $TIMEOUT s)"
wait_start=$SECONDS
last=''
while :; do
  status=$(curl -s "http://127.0.0.1:$PORT/api/requests/$id")
  state=$(sed -n 's/.*"state":"\([^"]*\)".*/\1/p' <<<"$status")
  [ "$state" != "$last" ] && echo "    [$((SECONDS - wait_start)) s] state: ${state:-?}" && last=$state
  [ "$state" = failed ] && fail "the request failed: $status"
  if curl -s "http://127.0.0.1:$PORT/mosaic/" | grep -q "\"id\":\"$id\""; then break; fi
  [ $((SECONDS - wait_start)) -lt "$TIMEOUT" ] || fail "not listed after $TIMEOUT s (last status: $status)"
  sleep 2
done
entry=$(curl -s "http://127.0.0.1:$PORT/mosaic/$id/")
echo "    listed after $((SECONDS - wait_start)) s: $entry"
small=$(sed -n 's/.*"url_small":"\([^"]*\)".*/\1/p' <<<"$entry")
large=$(sed -n 's/.*"url_large":"\([^"]*\)".*/\1/p' <<<"$entry")
for url in "$small" "$large"; do
  [[ $url == http* ]] || url=http://127.0.0.1:$PORT$url
  read -r code type bytes < <(curl -s -o /dev/null -w '%{http_code} %{content_type} %{size_download}\n' "$url")
  echo "    $url: $code $type $bytes bytes"
  [ "$code" = 200 ] && [ "$type" = image/jpeg ] || fail "the mosaic's image is not served"
done
echo "    the volume holds: $(podman exec "$CONTAINER" sh -c 'ls /mosaic | tr "\n" " "')"

step "stopping the container (SIGTERM)"
stop_start=$SECONDS
run podman stop -t 20 "$CONTAINER"
echo "    stopped in $((SECONDS - stop_start)) s, exit code $(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")"
step "cleaning up"
