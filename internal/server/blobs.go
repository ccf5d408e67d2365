package server

import (
	"path/filepath"

	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/postgres"
)

// blobPlace says where a service's blobs (space: "s3", "lambda") live, so that every node
// sharing a store reads what any of them wrote: under --blob-dir when it is set (a shared file
// system's mount), else in PostgreSQL itself when the store is PostgreSQL (shared is then set),
// else in the data dir's "blobs", as they always have on SQLite.
func blobPlace(st store.Store, cfg Config, space string) (shared s3.Blobs, dir string) {
	if cfg.BlobDir != "" {
		return nil, filepath.Join(cfg.BlobDir, space)
	}
	if db, ok := st.(*postgres.DB); ok {
		return db.Blobs(space), ""
	}
	return nil, s3.BlobDir(cfg.DataDir)
}
