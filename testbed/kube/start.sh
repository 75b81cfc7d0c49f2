#!/usr/bin/env bash
# Starts a bare Kubernetes control plane on loopback: etcd + kube-apiserver only (no scheduler, kubelet or
# controller-manager: nothing runs a pod), then applies the Dask operator CRDs. For the API-server
# benchmarks; cluster.sh builds the whole cluster on top of it.
#
#   start.sh [STATE_DIR]          default STATE_DIR: ./state
#
# Environment (all optional):
#   ETCD_PORT, ETCD_PEER_PORT, APISERVER_PORT   fixed ports; unset = pick free ones
#   READY_TIMEOUT                                seconds to wait for etcd health and /readyz (default 120)
#   ETCD_UNSAFE_NO_FSYNC=1                       run etcd with --unsafe-no-fsync (default: fsync, as in production)
#   APPLY_CRDS=0                                 do not apply the Dask CRDs
#   CRD_DIR                                      where the CRD yaml files are (default: the copy of the
#                                                operator's release in third_party/, see apply-crds.sh)
#   DISABLE_SA_ADMISSION=0                       keep the ServiceAccount admission plugin (default 1: off,
#                                                because without a controller-manager no default
#                                                ServiceAccount exists and pod creates would be refused)
#   STATE_LOGS                                   directory for the logs (default STATE_DIR)
#   EXTRA_APISERVER_FLAGS                        appended to the kube-apiserver command line
#
# Writes STATE_DIR/kubeconfig (token auth, CA-verified TLS), STATE_DIR/env (ports, URL, token) and the
# pid files used by stop.sh. State already in STATE_DIR (keys, certs, etcd data) is reused.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
STATE="${1:-$HERE/state}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
LOGDIR="${STATE_LOGS:-$STATE}"
mkdir -p "$LOGDIR"
BIN="$(bin_dir)"
READY_TIMEOUT="${READY_TIMEOUT:-120}"

for b in etcd kube-apiserver; do
  [[ -x "$BIN/$b" ]] || { echo "start.sh: $BIN/$b missing, run $HERE/build.sh first" >&2; exit 1; }
done
for p in etcd kube-apiserver; do
  if [[ -f "$STATE/$p.pid" ]] && kill -0 "$(cat "$STATE/$p.pid")" 2>/dev/null; then
    echo "start.sh: $p already running (pid $(cat "$STATE/$p.pid")) for $STATE; run stop.sh first" >&2; exit 1
  fi
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
ETCD_PORT="${ETCD_PORT:-$(free_port)}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-$(free_port)}"
APISERVER_PORT="${APISERVER_PORT:-$(free_port)}"

t_start=$(date +%s.%N)

# --- credentials (generated once per state dir) -------------------------------------------------
PKI="$STATE/pki"
mkdir -p "$PKI"
if [[ ! -f "$PKI/sa.key" ]]; then
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
fi
if [[ ! -f "$PKI/serving.crt" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kube-testbed-ca" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$PKI/serving.key" -out "$PKI/serving.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > "$PKI/serving.ext"
  openssl x509 -req -in "$PKI/serving.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -extfile "$PKI/serving.ext" -out "$PKI/serving.crt" 2>/dev/null
fi
if [[ ! -f "$PKI/tokens.csv" ]]; then
  TOKEN="$(openssl rand -hex 24)"
  # token,user,uid,"group1,group2"
  echo "$TOKEN,admin,admin-uid,\"system:masters\"" > "$PKI/tokens.csv"
  chmod 600 "$PKI/tokens.csv"
fi
TOKEN="$(cut -d, -f1 "$PKI/tokens.csv")"

# --- etcd ------------------------------------------------------------------------------------------
ETCD_URL="http://127.0.0.1:$ETCD_PORT"
etcd_flags=(
  --name testbed
  --data-dir "$STATE/etcd"
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL"
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-cluster "testbed=http://127.0.0.1:$ETCD_PEER_PORT"
  --quota-backend-bytes $((8 * 1024 * 1024 * 1024))
  --log-level warn
)
[[ "${ETCD_UNSAFE_NO_FSYNC:-0}" == 1 ]] && etcd_flags+=(--unsafe-no-fsync)
# If anything below fails before the apiserver is ready, stop what this script started.
started=0
trap '[[ $started == 1 ]] || { echo "start.sh: failed, stopping what was started" >&2; "$HERE/stop.sh" "$STATE" >&2; }' EXIT
setsid "$BIN/etcd" "${etcd_flags[@]}" >"$LOGDIR/etcd.log" 2>&1 < /dev/null &
echo $! > "$STATE/etcd.pid"

deadline=$(( $(date +%s) + READY_TIMEOUT ))
until curl -sf "$ETCD_URL/health" >/dev/null 2>&1; do
  kill -0 "$(cat "$STATE/etcd.pid")" 2>/dev/null || { echo "start.sh: etcd exited, see $LOGDIR/etcd.log" >&2; tail -20 "$LOGDIR/etcd.log" >&2; exit 1; }
  (( $(date +%s) < deadline )) || { echo "start.sh: etcd not healthy after ${READY_TIMEOUT}s" >&2; exit 1; }
  sleep 0.2
done

# --- kube-apiserver --------------------------------------------------------------------------------
API_URL="https://127.0.0.1:$APISERVER_PORT"
api_flags=(
  --etcd-servers "$ETCD_URL"
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT"
  --tls-cert-file "$PKI/serving.crt" --tls-private-key-file "$PKI/serving.key"
  --cert-dir "$STATE/certs"
  --token-auth-file "$PKI/tokens.csv"
  --authorization-mode RBAC
  --service-account-issuer https://kubernetes.default.svc
  --service-account-key-file "$PKI/sa.pub"
  --service-account-signing-key-file "$PKI/sa.key"
  --service-cluster-ip-range 10.96.0.0/16
  # the lease/master-count endpoint reconcilers refuse a loopback advertise address
  --endpoint-reconciler-type none
  --watch-cache=true
)
# No controller-manager creates the default ServiceAccount here; without this, pod creates are rejected.
[[ "${DISABLE_SA_ADMISSION:-1}" == 1 ]] && api_flags+=(--disable-admission-plugins ServiceAccount)
# shellcheck disable=SC2206
[[ -n "${EXTRA_APISERVER_FLAGS:-}" ]] && api_flags+=(${EXTRA_APISERVER_FLAGS})
setsid "$BIN/kube-apiserver" "${api_flags[@]}" >"$LOGDIR/kube-apiserver.log" 2>&1 < /dev/null &
echo $! > "$STATE/kube-apiserver.pid"

until [[ "$(curl -s --cacert "$PKI/ca.crt" -H "Authorization: Bearer $TOKEN" "$API_URL/readyz" 2>/dev/null)" == ok ]]; do
  kill -0 "$(cat "$STATE/kube-apiserver.pid")" 2>/dev/null || { echo "start.sh: kube-apiserver exited, see $LOGDIR/kube-apiserver.log" >&2; tail -20 "$LOGDIR/kube-apiserver.log" >&2; exit 1; }
  (( $(date +%s) < deadline )) || { echo "start.sh: kube-apiserver not ready after ${READY_TIMEOUT}s, see $LOGDIR/kube-apiserver.log" >&2; exit 1; }
  sleep 0.2
done
# /readyz does not wait for the watch caches; a list answers 429 "storage is (re)initializing" until the
# pods cache is filled (noticeable after a restart with many objects in etcd).
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" -H "Authorization: Bearer $TOKEN" "$API_URL/api/v1/pods?limit=1")" == 200 ]]; do
  (( $(date +%s) < deadline )) || { echo "start.sh: pods not listable after ${READY_TIMEOUT}s" >&2; exit 1; }
  sleep 0.2
done
t_ready=$(date +%s.%N)
started=1

# --- kubeconfig and env ----------------------------------------------------------------------------
cat > "$STATE/kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: kube-testbed
  cluster:
    server: $API_URL
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: kube-testbed
  context:
    cluster: kube-testbed
    user: admin
    namespace: default
current-context: kube-testbed
KCFG
chmod 600 "$STATE/kubeconfig"
cat > "$STATE/env" <<ENV
KUBE_TESTBED_STATE=$STATE
KUBE_TESTBED_API_URL=$API_URL
KUBE_TESTBED_TOKEN=$TOKEN
KUBE_TESTBED_CA=$PKI/ca.crt
KUBE_TESTBED_ETCD_URL=$ETCD_URL
KUBECONFIG=$STATE/kubeconfig
ENV

echo "start.sh: ready in $(python3 -c "print(round($t_ready - $t_start, 1))") s"
echo "  etcd            pid $(cat "$STATE/etcd.pid")  $ETCD_URL  (log $LOGDIR/etcd.log)"
echo "  kube-apiserver  pid $(cat "$STATE/kube-apiserver.pid")  $API_URL  (log $LOGDIR/kube-apiserver.log)"
echo "  kubeconfig      $STATE/kubeconfig"
echo "  env             $STATE/env  (source it for KUBE_TESTBED_API_URL / _TOKEN / _CA)"

if [[ "${APPLY_CRDS:-1}" == 1 ]]; then
  "$HERE/apply-crds.sh" "$STATE"
fi
