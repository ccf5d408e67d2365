//go:build !linux

package bench

import "errors"

// loadPriority is the nice value the load generator would take (see priority_linux.go).
const loadPriority = 19

// yieldCPU is Linux's only: elsewhere the load generator keeps the servers' priority.
func yieldCPU() error { return errors.ErrUnsupported }
