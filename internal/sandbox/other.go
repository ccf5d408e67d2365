//go:build !linux

package sandbox

import (
	"errors"
	"syscall"
)

// Init does nothing where sandboxes are only processes.
func Init() {}

func namespaceSupported() error { return errors.New("namespaces need Linux") }

func processAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

type cgroups struct{}

func newCgroups(string) (*cgroups, error) { return nil, errors.New("cgroups need Linux") }

func (*cgroups) version() string { return "" }

func (m *Manager) startNamespace(Spec) (*Sandbox, error) {
	return nil, errors.New("namespaces need Linux")
}

type pool struct{}

func (*pool) close() {}

func newPool(*Manager) *pool { return nil }

func (*pool) readyCount() int { return 0 }

type idmaps struct{}

func newIdmaps() *idmaps { return nil }

func (*idmaps) close() {}
