#!/usr/bin/env bash
# End-to-end container test (`pnpm test:containers`):
#   1. podman + local stand-ins for the official base images (../shared/tools/containers.sh),
#   2. builds every image of docker/Dockerfile (gateway, worker, notifier, calibrate),
#   3. runs the one-shot calibrate job, then brings the compose stack up (Redis, gateway, 2 workers, notifier),
#   4. submits an image through the gateway container (POST /v1/predict, multipart field `image`) and checks the
#      answer carries result.prediction,
#   5. stops one worker with SIGTERM while async jobs arrive and checks every job still completes, then sends
#      SIGTERM to every other container (podman stop with the service's stop_grace_period as the timeout); each
#      must exit with code 0 before its grace period ends (a SIGKILL or an unhandled SIGTERM gives 137/143),
#   6. tears everything down and prints its duration; the measurements go to reports/containers.json (REPORTS=1).
#
# podman-compose 1.0.3 quirks handled here: it ignores --abort-on-container-exit and depends_on conditions (so the
# calibrate job is run to completion first, and every step is bounded by `timeout`), `down` stops with a 1 s
# timeout (so containers are stopped one by one with their real grace period before `down`), and it ignores
# stop_grace_period (read from compose.yaml here instead). `podman run` defaults to the host network on this
# machine; compose services get their own bridge network, where service names resolve.
#
# Env: ASSETS_DIR (default ../shared), CT_KEEP=1 keeps the stack up on failure, CT_SKIP_BUILD=1 reuses images,
# CT_GIT_REF=<ref> builds from `git archive <ref>` instead of the work tree (a shared or dirty work tree would
# otherwise put uncommitted files into the images).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s%N)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { printf '[test:containers %5ss] %s\n' "$(( ($(date +%s%N) - START) / 1000000000 ))" "$*"; }
die() { log "FAIL: $*"; exit 1; }

TOOLS=${CONTAINERS_TOOL:-$ROOT/../shared/tools/containers.sh}
[ -f "$TOOLS" ] || die "missing $TOOLS (the shared container tools beside the repository)"
ASSETS=$(cd "$ROOT" && realpath -e "${ASSETS_DIR:-../shared}") || die "ASSETS_DIR not found"
[ -d "$ASSETS/models" ] || die "ASSETS_DIR=$ASSETS has no models/"
IMAGE_FILE=${CT_IMAGE:-$ASSETS/data/images/3.png}
[ -f "$IMAGE_FILE" ] || die "no test image at $IMAGE_FILE"

PROJECT=mserve-ct-$$
TAG=ct-$$
COMPOSE_FILE=$ROOT/docker/compose.yaml
WORK=$(mktemp -d)
# CONTAINERS_REPORT: where the measurements go; by default reports/containers.json with REPORTS=1 (like every
# measuring command), else a file of this run's own, so a plain run leaves the checkout as it was.
if [ "${REPORTS:-}" = 1 ]; then DEFAULT_REPORT=$ROOT/reports/containers.json; else DEFAULT_REPORT=${TMPDIR:-/tmp}/mserve-containers-$$.json; fi
REPORT=${CONTAINERS_REPORT:-$DEFAULT_REPORT}
export IMAGE_TAG=$TAG IMAGE_PREFIX=mserve ASSETS_HOST_DIR=$ASSETS
GATEWAY_PORT=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
export GATEWAY_PORT
# The stack runs with AUTH_MODE=required (compose.yaml): bootstrap a key of this run's own, as an operator would
# from a secret store, and send it with the prediction.
API_KEY=$(node -e "const c=require('crypto');process.stdout.write('msk_'+c.randomBytes(6).toString('hex')+'_'+c.randomBytes(32).toString('base64url'))")
export AUTH_BOOTSTRAP_KEYS="ct:predict+read:$API_KEY"

CTX=$ROOT
SOURCE="work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "${CT_GIT_REF:-}" ]; then
  SOURCE="$CT_GIT_REF $(git -C "$ROOT" rev-parse --short "$CT_GIT_REF")"
  CTX=$WORK/context
  mkdir -p "$CTX"
  git -C "$ROOT" archive "$CT_GIT_REF" | tar -x -C "$CTX" || die "git archive $CT_GIT_REF failed"
  log "building from $SOURCE"
  # The compose file and the calibration artifacts of that commit, not of the work tree; the folder is writable
  # for the calibrate container (uid 1000) in case that commit's artifact is missing.
  COMPOSE_FILE=$CTX/docker/compose.yaml
  chmod 0777 "$CTX/calibration" 2>/dev/null || true
fi

bash "$TOOLS" setup >/dev/null
bash "$TOOLS" base >/dev/null
eval "$(bash "$TOOLS" env)"

pc() { timeout "${PC_TIMEOUT:-120}" podman-compose -p "$PROJECT" -f "$COMPOSE_FILE" "$@" >>"$WORK/compose.log" 2>&1; }

cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    log "container logs (last 40 lines each):"
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' 2>/dev/null); do
      echo "----- $c"; podman logs --tail 40 "$c" 2>&1 | sed 's/^/  /' || true
    done
    echo "----- podman-compose output (last 30 lines)"; tail -30 "$WORK/compose.log" 2>/dev/null || true
  fi
  if [ $rc -ne 0 ] && [ "${CT_KEEP:-0}" = "1" ]; then
    log "CT_KEEP=1: leaving project $PROJECT up (podman-compose -p $PROJECT -f $COMPOSE_FILE down -v)"
  else
    # `podman-compose down` removes containers without their anonymous volumes; remove them with -v first.
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' 2>/dev/null); do
      podman rm -f -v -t 1 "$c" >/dev/null 2>&1 || true
    done
    PC_TIMEOUT=120 pc down -v || true
    podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
    if [ "${CT_SKIP_BUILD:-0}" != "1" ]; then
      for t in gateway worker notifier calibrate; do podman rmi -f "mserve-$t:$TAG" >/dev/null 2>&1 || true; done
    fi
  fi
  rm -rf "$WORK"
  local total=$(( ($(date +%s%N) - START) / 1000000 ))
  if [ $rc -eq 0 ] && [ -f "$REPORT" ]; then
    TOTAL=$total node -e '
      const f = process.argv[1], r = JSON.parse(require("fs").readFileSync(f, "utf8"));
      r.totalMsWithTeardown = Number(process.env.TOTAL);
      require("fs").writeFileSync(f, JSON.stringify(r, null, 2) + "\n");' "$REPORT" || true
  fi
  log "duration $total ms (exit $rc)"
  exit $rc
}
trap cleanup EXIT

# --- 2. images --------------------------------------------------------------------------------------------------
declare -A BUILD_MS IMAGE_BYTES
build_args=(--format docker -f "$CTX/docker/Dockerfile")
# Behind a TLS-intercepting proxy (this sandbox) the build needs the host's CA bundle; it is mounted, not copied.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  build_args+=(-v "$NODE_EXTRA_CA_CERTS:/run/extra-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/extra-ca.crt)
fi
for t in gateway worker notifier calibrate; do
  if [ "${CT_SKIP_BUILD:-0}" = "1" ]; then
    podman tag "mserve-$t:dev" "mserve-$t:$TAG" || die "CT_SKIP_BUILD=1 but no image mserve-$t:dev"
    BUILD_MS[$t]=0; continue
  fi
  log "building mserve-$t"
  t0=$(now_ms)
  timeout 1800 podman build "${build_args[@]}" --target "$t" -t "mserve-$t:$TAG" "$CTX" >"$WORK/build-$t.log" 2>&1 \
    || { tail -40 "$WORK/build-$t.log"; die "image $t did not build"; }
  BUILD_MS[$t]=$(( $(now_ms) - t0 ))
  log "built mserve-$t in ${BUILD_MS[$t]} ms"
done
for t in gateway worker notifier calibrate; do
  IMAGE_BYTES[$t]=$(podman image inspect "mserve-$t:$TAG" --format '{{.Size}}')
done
log "image sizes (bytes): gateway ${IMAGE_BYTES[gateway]}, worker ${IMAGE_BYTES[worker]}, notifier ${IMAGE_BYTES[notifier]}, calibrate ${IMAGE_BYTES[calibrate]}"

# --- 3. stack ---------------------------------------------------------------------------------------------------
log "calibrate (one-shot) on project $PROJECT"
t0=$(now_ms)
PC_TIMEOUT=60 pc up -d --no-build calibrate || die "podman-compose up calibrate failed"
cal_rc=$(timeout 900 podman wait "${PROJECT}_calibrate_1") || die "calibrate did not finish within 900 s"
[ "$cal_rc" = "0" ] || die "calibrate exited with $cal_rc"
CALIBRATE_MS=$(( $(now_ms) - t0 ))
log "calibration artifact ready in $CALIBRATE_MS ms"

log "compose up (gateway on 127.0.0.1:$GATEWAY_PORT)"
t0=$(now_ms)
pc up -d --no-build || die "podman-compose up failed"
URL=http://127.0.0.1:$GATEWAY_PORT
ready=0
for _ in $(seq 1 180); do
  if curl -fsS -o /dev/null --max-time 2 "$URL/readyz"; then ready=1; break; fi
  sleep 1
done
[ $ready = 1 ] || die "gateway /readyz not ready within 180 s"
mapfile -t CONTAINERS < <(podman ps --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}' | sort)
for c in "${CONTAINERS[@]}"; do
  case $c in *_calibrate_*) continue ;; esac
  healthy=0
  for _ in $(seq 1 90); do
    if podman healthcheck run "$c" >/dev/null 2>&1; then healthy=1; break; fi
    sleep 1
  done
  [ $healthy = 1 ] || die "$c never passed its health check"
done
READY_MS=$(( $(now_ms) - t0 ))
log "stack ready in $READY_MS ms: ${CONTAINERS[*]}"

# --- 4. a prediction through the gateway container --------------------------------------------------------------
t0=$(now_ms)
code=$(curl -sS -o "$WORK/predict.json" -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $API_KEY" -F "image=@$IMAGE_FILE" "$URL/v1/predict") \
  || die "POST /v1/predict failed"
PREDICT_MS=$(( $(now_ms) - t0 ))
[ "$code" = "200" ] || { cat "$WORK/predict.json"; die "POST /v1/predict answered $code"; }
PREDICTION=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!r.result || r.result.prediction === undefined || r.result.prediction === null) process.exit(1);
  console.log(JSON.stringify(r.result.prediction));' "$WORK/predict.json") || { cat "$WORK/predict.json"; die "no result.prediction"; }
log "POST /v1/predict $(basename "$IMAGE_FILE") -> prediction $PREDICTION in $PREDICT_MS ms"

# --- 5. SIGTERM: every container exits 0 within its grace period --------------------------------------------------
grace_of() { # stop_grace_period of a compose service in seconds (podman's default 10 s when unset)
  node -e '
    const doc = require("yaml").parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const g = String((doc.services[process.argv[2]] || {}).stop_grace_period || "10s");
    const m = /^(\d+)(ms|s|m)?$/.exec(g); if (!m) throw new Error("bad grace " + g);
    const n = Number(m[1]); console.log(m[2] === "m" ? n * 60 : m[2] === "ms" ? Math.ceil(n / 1000) : n);
  ' "$COMPOSE_FILE" "$1"
}
STOPS=()
stop_one() {
  local c=$1 svc grace t0 ms rc
  svc=$(podman inspect "$c" --format '{{index .Config.Labels "com.docker.compose.service"}}')
  grace=$(grace_of "$svc")
  t0=$(now_ms)
  timeout $(( grace + 30 )) podman stop -t "$grace" "$c" >/dev/null 2>>"$WORK/stop.log" || true
  ms=$(( $(now_ms) - t0 ))
  rc=$(podman inspect "$c" --format '{{.State.ExitCode}}')
  STOPS+=("{\"container\":\"$c\",\"service\":\"$svc\",\"graceS\":$grace,\"stopMs\":$ms,\"exitCode\":$rc}")
  log "SIGTERM $c: exit $rc after $ms ms (grace ${grace}s)"
  [ "$rc" = "0" ] || die "$c exited with $rc on SIGTERM (137: killed after the grace period, 143: SIGTERM unhandled)"
  [ "$ms" -lt $(( grace * 1000 )) ] || die "$c took $ms ms, longer than its ${grace}s grace period"
}
# 5a. A worker stopped under load: submit DRAIN_JOBS async jobs and SIGTERM the first worker while they arrive.
# It must drain (exit 0 within its grace) and every job must still complete (the other worker takes the rest).
DRAIN_JOBS=${CT_DRAIN_JOBS:-120}
FIRST_WORKER=$(printf '%s\n' "${CONTAINERS[@]}" | grep '_worker_' | head -1)
t0=$(now_ms)
URL=$URL IMAGE_FILE=$IMAGE_FILE N=$DRAIN_JOBS API_KEY=$API_KEY node -e '
  // POST /v1/jobs N times, 8 at a time; writes one job id per line. A 429 (the key rate limit) is retried after
  // its Retry-After, as a client would.
  const fs = require("fs");
  const headers = { authorization: `Bearer ${process.env.API_KEY}` };
  async function post(body) {
    for (;;) {
      const r = await fetch(`${process.env.URL}/v1/jobs`, { method: "POST", body: body(), headers });
      if (r.status !== 429) return r;
      await new Promise((ok) => setTimeout(ok, 1000 * Number(r.headers.get("retry-after") ?? 1)));
    }
  }
  const bytes = fs.readFileSync(process.env.IMAGE_FILE);
  const name = require("path").basename(process.env.IMAGE_FILE);
  let next = 0;
  const ids = [];
  async function one() {
    while (next < Number(process.env.N)) {
      next++;
      const r = await post(() => {
        const form = new FormData();
        form.append("image", new Blob([bytes], { type: "image/png" }), name);
        return form;
      });
      if (r.status !== 202) throw new Error(`POST /v1/jobs answered ${r.status}: ${await r.text()}`);
      ids.push((await r.json()).id);
    }
  }
  Promise.all(Array.from({ length: 8 }, one))
    .then(() => fs.writeFileSync(process.argv[1], ids.join("\n") + "\n"))
    .catch((e) => { console.error(e.message); process.exit(1); });
' "$WORK/submitted.txt" 2>"$WORK/submit.err" &
SUBMIT_PID=$!
sleep 0.5
stop_one "$FIRST_WORKER"
wait "$SUBMIT_PID" || die "submitting $DRAIN_JOBS jobs failed: $(tail -3 "$WORK/submit.err")"
DRAIN_RESULT=$(URL=$URL API_KEY=$API_KEY node -e '
  const ids = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  const headers = { authorization: `Bearer ${process.env.API_KEY}` };
  (async () => {
    const states = {};
    for (const id of ids) {
      let status = "unknown";
      for (let i = 0; i < 6 && !["completed", "failed"].includes(status); i++) {
        const r = await fetch(`${process.env.URL}/v1/jobs/${id}?wait=10`, { headers });
        if (r.status === 429) {
          await new Promise((ok) => setTimeout(ok, 1000 * Number(r.headers.get("retry-after") ?? 1)));
          i--;
          continue;
        }
        status = (await r.json()).status ?? `http ${r.status}`;
      }
      states[status] = (states[status] ?? 0) + 1;
    }
    console.log(JSON.stringify({ submitted: ids.length, states }));
  })().catch((e) => { console.error(e); process.exit(1); });
' "$WORK/submitted.txt") || die "could not read the submitted jobs back"
DRAIN_MS=$(( $(now_ms) - t0 ))
log "worker stopped under load: $DRAIN_RESULT in $DRAIN_MS ms"
node -e 'const r = JSON.parse(process.argv[1]); process.exit(r.submitted === Number(process.argv[2]) && r.states.completed === r.submitted ? 0 : 1)' \
  "$DRAIN_RESULT" "$DRAIN_JOBS" || die "not every job submitted around the worker's SIGTERM completed: $DRAIN_RESULT"

# Memory and CPU time of every process container after that load (a data point for requests and limits; the
# per-process CPU and RSS per 100 req/s come from `pnpm bench`, reports/bench.json).
STATS_JSON=$(podman stats --no-stream --format json $(printf '%s\n' "${CONTAINERS[@]}" | grep -v "^$FIRST_WORKER$") 2>/dev/null \
  | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try {
        const rows = JSON.parse(s).map((r) => ({ name: r.name, memUsage: r.mem_usage, cpuTime: r.cpu_time, pids: Number(r.pids) }));
        console.log(JSON.stringify(rows));
      } catch { console.log("[]"); }
    });') || STATS_JSON="[]"
log "container stats after the load: $STATS_JSON"

# 5b. The rest: clients first, Redis last, so that workers and the notifier drain against a live Redis.
for c in "${CONTAINERS[@]}"; do case $c in *_gateway_*) stop_one "$c" ;; esac; done
for c in "${CONTAINERS[@]}"; do
  case $c in "$FIRST_WORKER") ;; *_worker_* | *_notifier_*) stop_one "$c" ;; esac
done
for c in "${CONTAINERS[@]}"; do case $c in *_redis_*) stop_one "$c" ;; esac; done

# --- 6. report ----------------------------------------------------------------------------------------------------
TOTAL_MS=$(( ($(date +%s%N) - START) / 1000000 ))
mkdir -p "$(dirname "$REPORT")"
STOPS_JSON="[$(IFS=,; echo "${STOPS[*]}")]"
BUILD_JSON="{\"gateway\":${BUILD_MS[gateway]},\"worker\":${BUILD_MS[worker]},\"notifier\":${BUILD_MS[notifier]},\"calibrate\":${BUILD_MS[calibrate]}}"
SIZES_JSON="{\"gateway\":${IMAGE_BYTES[gateway]},\"worker\":${IMAGE_BYTES[worker]},\"notifier\":${IMAGE_BYTES[notifier]},\"calibrate\":${IMAGE_BYTES[calibrate]}}"
export REPORT SOURCE STOPS_JSON BUILD_JSON CALIBRATE_MS READY_MS PREDICT_MS PREDICTION TOTAL_MS IMAGE_FILE \
  DRAIN_RESULT DRAIN_MS STATS_JSON SIZES_JSON
PODMAN_VERSION=$(podman --version | awk '{print $3}')
export PODMAN_VERSION
node -e '
  const e = process.env;
  const report = {
    command: "pnpm test:containers",
    finishedAt: new Date().toISOString(),
    source: e.SOURCE,
    podman: e.PODMAN_VERSION,
    skipBuild: e.CT_SKIP_BUILD === "1",
    buildMs: JSON.parse(e.BUILD_JSON),
    imageBytes: JSON.parse(e.SIZES_JSON),
    calibrateMs: Number(e.CALIBRATE_MS),
    stackReadyMs: Number(e.READY_MS),
    predict: { image: require("path").basename(e.IMAGE_FILE), prediction: JSON.parse(e.PREDICTION), ms: Number(e.PREDICT_MS) },
    workerStoppedUnderLoad: { ...JSON.parse(e.DRAIN_RESULT), ms: Number(e.DRAIN_MS) },
    statsAfterLoad: JSON.parse(e.STATS_JSON),
    stops: JSON.parse(e.STOPS_JSON),
    totalMsBeforeTeardown: Number(e.TOTAL_MS),
  };
  require("fs").writeFileSync(e.REPORT, JSON.stringify(report, null, 2) + "\n");
'
log "PASS: images built, stack answered a prediction, every container stopped cleanly; wrote $REPORT"
