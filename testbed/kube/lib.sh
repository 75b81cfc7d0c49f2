# Shared by the test bed scripts (sourced, not run). Defines where the built binaries and the operator's
# virtualenv live, and small process helpers.
#
# Everything built is cached outside the checkout, keyed by what it is built from, so a fresh clone (CI)
# reuses what an earlier clone on the same machine built:
#   $TESTBED_CACHE/bin-<key>/    etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok
#   $TESTBED_CACHE/venv-<key>/   the Dask Kubernetes Operator (dask-kubernetes from PyPI) on a pinned kopf
# TESTBED_CACHE defaults to ${XDG_CACHE_HOME:-~/.cache}/daskrelay-testbed.

TESTBED_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTBED_CACHE="${TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/daskrelay-testbed}"

# Kubernetes version the binaries are stamped with; must match k8s.io/kubernetes in go.mod.
KUBE_VERSION=v1.37.2
# The Dask Kubernetes Operator release and the kopf it runs on (see docs/TESTBED.md for the two choices).
DASK_KUBERNETES_VERSION=2025.4.3
KOPF_VERSION="${KOPF_VERSION:-1.37.5}"

die() { echo "${0##*/}: $*" >&2; exit 1; }

sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

# The binaries' cache key: the Go module (go.mod, go.sum, our etcd main), the build flags and the toolchain.
bin_key() {
  (cd "$TESTBED_HOME" && { cat go.mod go.sum cmd/etcd/main.go build.sh; go version; } | sha256sum | cut -c1-16)
}
bin_dir() { echo "$TESTBED_CACHE/bin-$(bin_key)"; }

# The virtualenv's cache key: the pinned requirements, the kopf version and the Python interpreter.
venv_key() {
  { cat "$TESTBED_HOME/operator/requirements.txt"; echo "kopf==$KOPF_VERSION"; python3 --version; } | sha256sum | cut -c1-16
}
venv_dir() { echo "$TESTBED_CACHE/venv-$(venv_key)"; }

# Is PID alive and still the program we started (its command line contains WHAT)?
is_ours() {
  local pid=$1 what=$2
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$what"
}

# wait_until TIMEOUT_S DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds or the time is up.
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || { echo "${0##*/}: $what: not after ${timeout}s" >&2; return 1; }
    sleep 0.2
  done
}
