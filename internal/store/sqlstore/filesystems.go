package sqlstore

import (
	"context"
	"errors"

	"github.com/gureum/gureum/internal/store"
)

// FileSystems implements store.FileSystems on the efs_resources table.
type FileSystems struct {
	base
	st struct {
		createFS, createChild, update, remove, removeChildren *stmt
		get, byToken, list, listOf, mounts                    *stmt
	}
}

const efsColumns = `kind, account, id, fs_id, token, rev, doc, created_at`

func newFileSystems(b base) *FileSystems {
	s := &FileSystems{base: b.of("filesystems")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createFS = w("createFS", `INSERT INTO efs_resources (`+efsColumns+`) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`)
	// An access point or mount target is stored only beside its file system.
	s.st.createChild = w("createChild", `INSERT INTO efs_resources (`+efsColumns+`)
		SELECT ?, ?, ?, ?, ?, 1, ?, ? WHERE EXISTS (
			SELECT 1 FROM efs_resources WHERE account = ? AND kind = 'fs' AND id = ?)`)
	s.st.update = w("update", `UPDATE efs_resources SET rev = rev + 1, doc = ?
		WHERE kind = ? AND account = ? AND id = ? AND rev = ?`)
	s.st.remove = w("remove", `DELETE FROM efs_resources WHERE kind = ? AND account = ? AND id = ?`)
	s.st.removeChildren = w("removeChildren", `DELETE FROM efs_resources WHERE account = ? AND fs_id = ? AND kind = 'ap'`)
	s.st.mounts = w("mounts", `SELECT COUNT(*) FROM efs_resources WHERE account = ? AND fs_id = ? AND kind = 'mt'`)
	s.st.get = r("get", `SELECT `+efsColumns+` FROM efs_resources WHERE kind = ? AND account = ? AND id = ?`)
	s.st.byToken = r("byToken", `SELECT `+efsColumns+` FROM efs_resources WHERE account = ? AND kind = ? AND token = ?`)
	s.st.list = r("list", `SELECT `+efsColumns+` FROM efs_resources
		WHERE account = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?`)
	s.st.listOf = r("listOf", `SELECT `+efsColumns+` FROM efs_resources
		WHERE account = ? AND fs_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?`)
	return s
}

var _ store.FileSystems = (*FileSystems)(nil)

func scanFileSystemResource(row scanner) (store.FileSystemResource, error) {
	var x store.FileSystemResource
	var created int64
	err := row.Scan(&x.Kind, &x.Account, &x.ID, &x.FileSystemID, &x.Token, &x.Rev, &x.Doc, &created)
	x.Created = fromNanos(created)
	return x, err
}

// CreateFileSystemResource stores a new resource at rev 1.
func (s *FileSystems) CreateFileSystemResource(ctx context.Context, r store.FileSystemResource) (store.FileSystemResource, error) {
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		if r.Kind == store.EFSFileSystem {
			_, err := s.st.createFS.in(ctx, tx).ExecContext(ctx, r.Kind, r.Account, r.ID, r.ID, r.Token, r.Doc, nanos(r.Created))
			return s.fault("CreateFileSystemResource", err)
		}
		res, err := s.st.createChild.in(ctx, tx).ExecContext(ctx, r.Kind, r.Account, r.ID, r.FileSystemID, r.Token, r.Doc, nanos(r.Created),
			r.Account, r.FileSystemID)
		if err != nil {
			return s.fault("CreateFileSystemResource", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".CreateFileSystemResource", Kind: store.ErrNotFound}
		}
		return nil
	})
	if errors.Is(err, store.ErrExists) && r.Token != "" {
		x, gerr := scanFileSystemResource(s.st.byToken.ps.QueryRowContext(ctx, r.Account, r.Kind, r.Token))
		if gerr == nil {
			return x, err
		}
	}
	if err != nil {
		return store.FileSystemResource{}, err
	}
	r.Rev = 1
	if r.Kind == store.EFSFileSystem {
		r.FileSystemID = r.ID
	}
	return r, nil
}

// FileSystemResource reads one resource.
func (s *FileSystems) FileSystemResource(ctx context.Context, kind, account, id string) (store.FileSystemResource, error) {
	x, err := scanFileSystemResource(s.st.get.ps.QueryRowContext(ctx, kind, account, id))
	return x, s.fault("FileSystemResource", err)
}

// ListFileSystemResources lists resources by id.
func (s *FileSystems) ListFileSystemResources(ctx context.Context, kind, account, fsID, after string, limit int) ([]store.FileSystemResource, error) {
	n := limit
	if n <= 0 {
		n = 1 << 30
	}
	var out []store.FileSystemResource
	var err error
	if fsID == "" {
		rows, qerr := s.st.list.ps.QueryContext(ctx, account, kind, after, n)
		out, err = collect(rows, qerr, 0, scanFileSystemResource)
	} else {
		rows, qerr := s.st.listOf.ps.QueryContext(ctx, account, fsID, kind, after, n)
		out, err = collect(rows, qerr, 0, scanFileSystemResource)
	}
	return out, s.fault("ListFileSystemResources", err)
}

// UpdateFileSystemResource replaces a resource's doc if it is still at r.Rev.
func (s *FileSystems) UpdateFileSystemResource(ctx context.Context, r store.FileSystemResource) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.update.in(ctx, tx).ExecContext(ctx, r.Doc, r.Kind, r.Account, r.ID, r.Rev)
		if err != nil {
			return s.fault("UpdateFileSystemResource", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".UpdateFileSystemResource", Kind: store.ErrConditionFailed}
		}
		return nil
	})
}

// DeleteFileSystemResource removes a resource; a file system takes its access points with it
// and stays while it has mount targets.
func (s *FileSystems) DeleteFileSystemResource(ctx context.Context, kind, account, id string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if kind == store.EFSFileSystem {
			var mounts int
			if err := s.st.mounts.in(ctx, tx).QueryRowContext(ctx, account, id).Scan(&mounts); err != nil {
				return s.fault("DeleteFileSystemResource", err)
			}
			if mounts > 0 {
				return &store.Error{Op: s.domain + ".DeleteFileSystemResource", Kind: store.ErrConflict}
			}
		}
		res, err := s.st.remove.in(ctx, tx).ExecContext(ctx, kind, account, id)
		if err != nil {
			return s.fault("DeleteFileSystemResource", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".DeleteFileSystemResource", Kind: store.ErrNotFound}
		}
		if kind == store.EFSFileSystem {
			_, err = s.st.removeChildren.in(ctx, tx).ExecContext(ctx, account, id)
			return s.fault("DeleteFileSystemResource", err)
		}
		return nil
	})
}
