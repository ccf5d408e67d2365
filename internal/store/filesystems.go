package store

import (
	"context"
	"time"
)

// Kinds of EFS resources.
const (
	EFSFileSystem  = "fs"
	EFSAccessPoint = "ap"
	EFSMountTarget = "mt"
)

// FileSystemResource is one EFS file system, access point or mount target: the EFS service's
// document under a revision that rises at every update.
type FileSystemResource struct {
	Kind         string // one of the EFS* constants
	Account      string
	ID           string // fs-…, fsap-…, fsmt-…
	FileSystemID string // the file system it belongs to (its own id for a file system)
	Token        string // CreationToken or ClientToken; "" for none
	Rev          int64  // 1 when created; an update names the rev it read
	Doc          []byte
	Created      time.Time
}

// FileSystems stores EFS's resources.
type FileSystems interface {
	// CreateFileSystemResource stores r at rev 1. When r.Token is already a token of a resource
	// of r.Kind in r.Account it returns that resource and ErrExists; an access point or mount
	// target of a file system that does not exist is ErrNotFound.
	CreateFileSystemResource(ctx context.Context, r FileSystemResource) (FileSystemResource, error)
	// FileSystemResource reads one; ErrNotFound when there is none.
	FileSystemResource(ctx context.Context, kind, account, id string) (FileSystemResource, error)
	// ListFileSystemResources lists up to limit resources of a kind in an account by id, after
	// after; of one file system when fsID is set (limit 0: all).
	ListFileSystemResources(ctx context.Context, kind, account, fsID, after string, limit int) ([]FileSystemResource, error)
	// UpdateFileSystemResource replaces the doc of a resource still at r.Rev, which becomes
	// r.Rev+1; ErrConditionFailed when it changed or went meanwhile.
	UpdateFileSystemResource(ctx context.Context, r FileSystemResource) error
	// DeleteFileSystemResource removes one; ErrNotFound when there is none. A file system with
	// mount targets is ErrConflict; its access points go with it.
	DeleteFileSystemResource(ctx context.Context, kind, account, id string) error
}
