#!/usr/bin/env bash
# A real Kubernetes cluster on this machine with the real Dask Kubernetes Operator, for daskrelay's end-to-end
# tests and for debugging. A TEST BED: never the product's runtime. Documentation: docs/TESTBED.md.
#
#   cluster.sh up DIR            build what is missing (cached), start everything, write DIR/kubeconfig;
#                                prints the kubeconfig path as the last line of stdout
#   cluster.sh down DIR          stop everything started for DIR and remove its state (keeps DIR/logs;
#                                --purge removes DIR entirely)
#   cluster.sh status DIR        which components run
#   cluster.sh operator-stop DIR / operator-start DIR
#                                stop / start only the Dask operator (an operator outage, "operator-stuck")
#   cluster.sh etcd-compact DIR  compact etcd's history up to its current revision (watches resumed from an older
#                                resourceVersion then get 410 Gone)
#   cluster.sh apiserver-restart DIR
#                                stop kube-apiserver (TERM) and start it again with the same command line and port:
#                                its watch cache starts over, every client watch ends and resumes with 410 Gone
#   cluster.sh pin DIR CPUS      bind every running component (all threads) to CPUS, a taskset CPU list such as
#                                0 or 0-3, so that a benchmark run with `taskset -c <other CPUs>` does not share its
#                                cores with the API server (docs/PERFORMANCE.md); lasts until the processes end
#   cluster.sh build             only build the binaries and the operator's virtualenv
#
# What runs (all on 127.0.0.1): etcd, kube-apiserver (RBAC, TLS, token auth), kube-controller-manager,
# kube-scheduler (all Kubernetes v1.37.2 built from Go modules, testbed/kube/go.mod), kwok playing the
# kubelet of NODES fake nodes (testbed/kube/kwok/stages.yaml) and the Dask Kubernetes Operator 2025.4.3 on
# kopf KOPF_VERSION in a virtualenv, with its CRDs applied from the installed release.
#
# Environment (optional):
#   NODES=3 NODE_CPU=8 NODE_MEMORY=32Gi NODE_PODS=110   the fake nodes' capacity
#   KOPF_VERSION=1.37.5                                   the kopf the operator runs on (1.37.5 = the operator's
#                                                         own image; 1.45.2 = what pip resolves today)
#   READY_TIMEOUT=120                                     seconds to wait for each readiness check
#   TESTBED_CACHE=~/.cache/daskrelay-testbed              where binaries and virtualenvs are cached
#   EXTRA_APISERVER_FLAGS                                 appended to kube-apiserver's command line (start.sh),
#                                                         e.g. an audit policy and log (the chaos suite's)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

NODES="${NODES:-3}"
NODE_CPU="${NODE_CPU:-8}"
NODE_MEMORY="${NODE_MEMORY:-32Gi}"
NODE_PODS="${NODE_PODS:-110}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
REPO="$(cd "$TESTBED_HOME/../.." && pwd)"
VENDORED_CRDS="$REPO/third_party/dask-kubernetes-operator-$DASK_KUBERNETES_VERSION"

usage() { sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
log() { echo "cluster.sh: $*" >&2; }

# The components, in start order, and the command-line pattern that identifies each one's process.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok operator)
match_of() { if [[ $1 == operator ]]; then echo "dask_kubernetes.operator"; else echo "$1"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# --- the operator's virtualenv --------------------------------------------------------------------------
venv() {
  local dir; dir="$(venv_dir)"
  if [[ ! -f "$dir/.complete" ]]; then
    command -v python3 >/dev/null || die "python3 is not installed (the Dask operator is a Python program)"
    mkdir -p "$TESTBED_CACHE"
    exec 8>"$TESTBED_CACHE/venv.lock"; flock 8
    if [[ ! -f "$dir/.complete" ]]; then
      log "installing dask-kubernetes==$DASK_KUBERNETES_VERSION on kopf==$KOPF_VERSION into $dir ..."
      rm -rf "$dir"
      python3 -m venv "$dir" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
      "$dir/bin/pip" install -q --disable-pip-version-check -r "$TESTBED_HOME/operator/requirements.txt" \
        "kopf==$KOPF_VERSION" >&2 || { rm -rf "$dir"; die "pip install of the operator failed (kopf==$KOPF_VERSION)"; }
      touch "$dir/.complete"
    fi
    exec 8>&-
  fi
  echo "$dir"
}

# The operator's release ships its CRDs inside the package (the Helm chart's crds/ folder).
release_crds() { echo "$1/lib/python$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/site-packages/dask_kubernetes/operator/deployment/helm/dask-kubernetes-operator/crds"; }

check_vendored_crds() {
  local crds=$1
  [[ -f "$VENDORED_CRDS/SHA256SUMS" ]] || return 0
  # the release's CRDs must be byte for byte the copy the unit tests use (third_party/…/SHA256SUMS)
  if ! grep ' crds/' "$VENDORED_CRDS/SHA256SUMS" | sed 's| crds/| |' | (cd "$crds" && sha256sum --quiet -c - >&2); then
    die "the CRDs of the installed dask-kubernetes $DASK_KUBERNETES_VERSION differ from $VENDORED_CRDS (SHA256SUMS)"
  fi
}

# --- processes ------------------------------------------------------------------------------------------
# start NAME CMD...: runs CMD in its own session, log DIR/logs/NAME.log, pid DIR/run/NAME.pid
start() {
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}
pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
running() { is_ours "$(pid_of "$1")" "$2"; }
# stop NAME MATCH: TERM, up to 15 s for it to end, then KILL
stop() {
  local name=$1 match=$2 pid; pid="$(pid_of "$name")"
  if is_ours "$pid" "$match"; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( $(date +%s) + 15 ))
    while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) ignored TERM for 15 s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "stopped $name ($pid)"
  fi
  rm -f "$RUN/$name.pid"
}

set_dirs() {
  [[ -n "${1:-}" ]] || usage
  mkdir -p "$1"
  DIR="$(cd "$1" && pwd)"
  RUN="$DIR/run"; LOGS="$DIR/logs"
  mkdir -p "$RUN" "$LOGS"
}

kubectl_() { "$BIN/kubectl" --kubeconfig "$DIR/kubeconfig" "$@"; }

operator_start() {
  local venv_path; venv_path="$(venv)"
  local port; port="$(free_port)"
  echo "$port" > "$RUN/operator.port"
  # What the operator's image runs (kopf run -m dask_kubernetes.operator.controller --all-namespaces), plus
  # --standalone: no peering objects, this is the only operator. kopf reads KOPF_* variables as its own options
  # (click's auto_envvar_prefix): our KOPF_VERSION would be taken for `kopf --version`, so it is not passed on.
  KUBECONFIG="$DIR/kubeconfig" start operator env -u KOPF_VERSION "$venv_path/bin/kopf" run -m dask_kubernetes.operator.controller \
    --standalone --all-namespaces --verbose --liveness="http://127.0.0.1:$port/healthz"
  wait_until "$READY_TIMEOUT" "Dask operator liveness (log $LOGS/operator.log)" \
    curl -sf "http://127.0.0.1:$port/healthz" || { tail -20 "$LOGS/operator.log" >&2; exit 1; }
}

# The etcd URL and the API server's CA/token, from DIR/env (written by start.sh).
testbed_env() { # shellcheck disable=SC1091
  source "$DIR/env"
}

etcd_compact() {
  testbed_env
  local rev
  rev="$(curl -sf -X POST "$KUBE_TESTBED_ETCD_URL/v3/kv/range" -d '{"key":"AA=="}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')" \
    || die "cannot read etcd's revision at $KUBE_TESTBED_ETCD_URL"
  curl -sf -X POST "$KUBE_TESTBED_ETCD_URL/v3/kv/compaction" -d "{\"revision\": \"$rev\", \"physical\": true}" >/dev/null \
    || die "etcd compaction to revision $rev failed"
  log "etcd compacted to revision $rev"
  echo "$rev"
}

apiserver_restart() {
  testbed_env
  local pid; pid="$(pid_of kube-apiserver)"
  is_ours "$pid" kube-apiserver || die "kube-apiserver does not run for $DIR"
  local -a cmd
  mapfile -d '' -t cmd < "/proc/$pid/cmdline"
  stop kube-apiserver kube-apiserver
  setsid "${cmd[@]}" >>"$LOGS/kube-apiserver.log" 2>&1 < /dev/null &
  echo $! > "$RUN/kube-apiserver.pid"
  wait_until "$READY_TIMEOUT" "kube-apiserver /readyz after the restart" \
    sh -c "[ \"\$(curl -s --cacert '$KUBE_TESTBED_CA' -H 'Authorization: Bearer $KUBE_TESTBED_TOKEN' '$KUBE_TESTBED_API_URL/readyz')\" = ok ]"
  log "kube-apiserver restarted (pid $(pid_of kube-apiserver))"
}

nodes_yaml() {
  local i
  for (( i = 0; i < NODES; i++ )); do
    cat <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
spec: {}
status:
  allocatable: {cpu: "$NODE_CPU", memory: "$NODE_MEMORY", pods: "$NODE_PODS"}
  capacity: {cpu: "$NODE_CPU", memory: "$NODE_MEMORY", pods: "$NODE_PODS"}
---
NODE
  done
}

up() {
  set_dirs "$1"
  local t0; t0=$(date +%s.%N)
  for c in "${COMPONENTS[@]}"; do
    [[ -z "$(pid_of $c)" ]] || ! kill -0 "$(pid_of $c)" 2>/dev/null || die "$c already runs for $DIR (cluster.sh down $DIR first)"
  done
  UP_STARTED=1
  BIN="$(TESTBED_HOME="$TESTBED_HOME" "$TESTBED_HOME/build.sh")"
  local venv_path; venv_path="$(venv)"
  local crds; crds="$(release_crds "$venv_path")"
  check_vendored_crds "$crds"

  # etcd + kube-apiserver (start.sh), with the admission a real cluster has: the controller-manager below
  # creates each namespace's default ServiceAccount.
  trap 'log "failed; stopping what was started"; down_ "$DIR" >/dev/null 2>&1 || true' ERR
  STATE_LOGS="$LOGS" DISABLE_SA_ADMISSION=0 APPLY_CRDS=0 "$TESTBED_HOME/start.sh" "$DIR" >&2
  mv -f "$DIR/etcd.pid" "$RUN/etcd.pid"; mv -f "$DIR/kube-apiserver.pid" "$RUN/kube-apiserver.pid"

  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$DIR/kubeconfig" \
    --service-account-private-key-file="$DIR/pki/sa.key" --root-ca-file="$DIR/pki/ca.crt" \
    --use-service-account-credentials=false --leader-elect=false --secure-port=0 \
    --cluster-name=daskrelay-testbed --v=1
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$DIR/kubeconfig" --leader-elect=false --secure-port=0 --v=1

  kubectl_ apply -f "$crds" >&2
  nodes_yaml > "$DIR/nodes.yaml"
  kubectl_ apply -f "$DIR/nodes.yaml" >&2
  local kwok_port; kwok_port="$(free_port)"
  start kwok "$BIN/kwok" --kubeconfig="$DIR/kubeconfig" --config="$TESTBED_HOME/kwok/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr=10.244.0.0/16 --node-ip=10.0.0.1 --node-lease-duration-seconds=40 \
    --server-address="127.0.0.1:$kwok_port"

  kubectl_ wait --for=condition=Established --timeout="${READY_TIMEOUT}s" -f "$crds" >&2
  kubectl_ wait --for=condition=Ready --timeout="${READY_TIMEOUT}s" node --all >&2
  wait_until "$READY_TIMEOUT" "ServiceAccount default/default (kube-controller-manager, log $LOGS/kube-controller-manager.log)" \
    kubectl_ get serviceaccount default -n default
  operator_start
  trap - ERR

  cat >> "$DIR/env" <<ENV
export KUBECONFIG=$DIR/kubeconfig
export PATH=$BIN:\$PATH
ENV
  ln -sf "$BIN/kubectl" "$DIR/kubectl.bin"
  printf '#!/bin/sh\nexec %s --kubeconfig %s "$@"\n' "$BIN/kubectl" "$DIR/kubeconfig" > "$DIR/kubectl"
  chmod +x "$DIR/kubectl"
  log "ready in $(python3 -c "import time; print(round(time.time() - $t0, 1))") s: $NODES nodes ($NODE_CPU CPU, $NODE_MEMORY each), Dask operator $DASK_KUBERNETES_VERSION on kopf $KOPF_VERSION"
  log "  kubectl:  $DIR/kubectl get daskjobs,pods -A     (or: source $DIR/env)"
  log "  logs:     $LOGS/"
  log "  stop:     $0 down $DIR"
  echo "$DIR/kubeconfig"
}

down_() {
  DIR="$1"; RUN="$DIR/run"; LOGS="$DIR/logs"
  stop operator "dask_kubernetes.operator"
  stop kwok "kwok"
  stop kube-scheduler "kube-scheduler"
  stop kube-controller-manager "kube-controller-manager"
  stop kube-apiserver "kube-apiserver"
  stop etcd "etcd"
}

down() {
  [[ -n "${1:-}" ]] || usage
  [[ -d "$1" ]] || { log "$1 does not exist: nothing to stop"; return 0; }
  local purge=0; [[ "${2:-}" == --purge ]] && purge=1
  down_ "$(cd "$1" && pwd)"
  if (( purge )); then
    rm -rf "$DIR"
    log "removed $DIR"
  else
    find "$DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
    log "removed the state in $DIR (logs kept in $DIR/logs)"
  fi
}

pin() {
  set_dirs "$1"
  [[ -n "${2:-}" ]] || usage
  command -v taskset >/dev/null || die "taskset (util-linux) is needed to pin the test bed"
  local c n=0
  for c in "${COMPONENTS[@]}"; do
    if running "$c" "$(match_of "$c")"; then
      taskset -a -pc "$2" "$(pid_of "$c")" >/dev/null || die "taskset -a -pc $2 $(pid_of "$c") ($c) failed"
      log "$c ($(pid_of "$c")) pinned to CPUs $2"; n=$((n + 1))
    fi
  done
  (( n > 0 )) || die "nothing runs for $DIR"
}

status() {
  set_dirs "$1"
  local c rc=0
  for c in "${COMPONENTS[@]}"; do
    if running "$c" "$(match_of "$c")"; then echo "$c: running (pid $(pid_of $c))"; else echo "$c: stopped"; rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  up)
    # a failed start stops what it started, so no etcd, API server or kwok outlives it
    trap 'rc=$?; if [ "$rc" -ne 0 ] && [ "${UP_STARTED:-0}" = 1 ]; then log "up failed: stopping what it started"; down "$DIR" >&2 || true; fi' EXIT
    up "${2:-}" ;;
  down) down "${2:-}" "${3:-}" ;;
  status) status "${2:-}" ;;
  operator-stop) set_dirs "${2:-}"; stop operator "dask_kubernetes.operator" ;;
  operator-start)
    set_dirs "${2:-}"
    running operator "dask_kubernetes.operator" && die "the operator already runs for $DIR"
    operator_start; log "operator started" ;;
  etcd-compact) set_dirs "${2:-}"; etcd_compact ;;
  apiserver-restart) set_dirs "${2:-}"; apiserver_restart ;;
  pin) pin "${2:-}" "${3:-}" ;;
  build) "$TESTBED_HOME/build.sh" >/dev/null; venv >/dev/null ;;
  *) usage ;;
esac
