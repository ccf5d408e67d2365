package server

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

// storeFault says why the store cannot serve, or "" when it can: it must answer a ping and, where
// it can tell (store.WriteHealth: SQLite's writer knows a failed sync or a full disk), its writes
// must commit. A store that reads but cannot write is degraded: every send would fail.
func (s *Server) storeFault(ctx context.Context) string {
	if err := s.store.Ping(ctx); err != nil {
		return "the store does not answer: " + err.Error()
	}
	if wh, ok := s.store.(store.WriteHealth); ok {
		if err := wh.WriteFault(); err != nil {
			return "the store cannot write: " + err.Error()
		}
	}
	return ""
}
