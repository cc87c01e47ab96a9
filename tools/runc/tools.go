//go:build tools

// Package tools pins the OCI runtime the test harness's node runs (runc >= 1.4; Debian's 1.1 fails on these hosts).
package tools

import (
	_ "github.com/opencontainers/runc"
)
