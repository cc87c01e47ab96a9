//go:build tools

// Package tools pins the Kubernetes commands the test harness builds: the control plane's apiserver and kubectl
// (scripts/build-k8s.sh), and the node's kubelet, controller-manager and scheduler (scripts/build-node.sh).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
