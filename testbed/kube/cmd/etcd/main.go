// Command etcd runs the etcd server from go.etcd.io/etcd/server/v3 for the kube test bed.
// It takes the same flags as the upstream etcd binary (see etcdmain).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
