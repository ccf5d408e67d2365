package efs

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// Each file system is the directory <root>/<account>/<file system id>; an access point shows
// the directory its RootDirectory names inside it.

func (s *Service) treeDir(account, id string) string {
	return filepath.Join(s.root, account, id)
}

// size meters the bytes a file system's tree holds, at most sizeTTL old.
func (s *Service) size(account, id string) (int64, time.Time) {
	key := account + "/" + id
	now := s.now()
	s.sizeMu.Lock()
	c, ok := s.sizes[key]
	s.sizeMu.Unlock()
	if ok && now.Sub(c.at) < sizeTTL {
		return c.bytes, c.at
	}
	var n int64
	filepath.WalkDir(s.treeDir(account, id), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	s.sizeMu.Lock()
	s.sizes[key] = sized{bytes: n, at: now}
	s.sizeMu.Unlock()
	return n, now
}

// Mount is how a function's sandbox shows an access point: the host directory mounted
// read-write, and the POSIX identity every file operation through it acts as (HasUser false:
// the function's own).
type Mount struct {
	Dir           string
	ReadOnly      bool // the role may mount but not write (elasticfilesystem:ClientWrite)
	HasUser       bool
	UID, GID      uint32
	SecondaryGIDs []uint32
}

// ResolveMount finds the directory an access point shows to a function of account running as
// role, making its root directory with the access point's CreationInfo on first use, as EFS
// does. An access point of another account, or of a file system that is gone, is refused. When
// the file system has a policy, the role needs elasticfilesystem:ClientMount, and
// ClientWrite to mount it read-write, from its own policies or the file system's (without a
// policy EFS lets every client that reaches it mount and write).
func (s *Service) ResolveMount(ctx context.Context, account, accessPointARN, role string) (Mount, error) {
	parts := strings.SplitN(accessPointARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "elasticfilesystem" || !strings.HasPrefix(parts[5], "access-point/fsap-") {
		return Mount{}, fail(ErrBadRequest, "'%s' is not an EFS access point ARN.", accessPointARN)
	}
	if parts[4] != account {
		return Mount{}, awserr.New(awserr.AccessDenied, "Access point %s belongs to another account.", accessPointARN)
	}
	id := strings.TrimPrefix(parts[5], "access-point/")
	_, ap, err := s.accessPoint(ctx, account, id)
	if err != nil {
		return Mount{}, err
	}
	fsr, err := s.store.FileSystemResource(ctx, store.EFSFileSystem, account, ap.FileSystemId)
	if err != nil {
		return Mount{}, fail(ErrFileSystemNotFound, "File system '%s' does not exist.", ap.FileSystemId)
	}
	var fs fileSystemDoc
	if err := json.Unmarshal(fsr.Doc, &fs); err != nil {
		return Mount{}, err
	}
	readOnly := false
	if fs.Policy != "" && s.authz != nil {
		arn := s.fileSystemARN(account, ap.FileSystemId)
		if err := s.authz.AuthorizeRole(ctx, role, "elasticfilesystem:ClientMount", arn, fs.Policy); err != nil {
			return Mount{}, err
		}
		readOnly = s.authz.AuthorizeRole(ctx, role, "elasticfilesystem:ClientWrite", arn, fs.Policy) != nil
	}
	tree := s.treeDir(account, ap.FileSystemId)
	if err := os.MkdirAll(tree, 0o755); err != nil {
		return Mount{}, err
	}
	rootPath := "/"
	if ap.RootDirectory != nil && ap.RootDirectory.Path != "" {
		rootPath = ap.RootDirectory.Path
	}
	dir := filepath.Join(tree, filepath.FromSlash(rootPath))
	if err := s.makeRoot(tree, dir, ap.RootDirectory); err != nil {
		return Mount{}, err
	}
	m := Mount{Dir: dir, ReadOnly: readOnly}
	if u := ap.PosixUser; u != nil && u.Uid != nil && u.Gid != nil {
		m.HasUser, m.UID, m.GID = true, uint32(*u.Uid), uint32(*u.Gid)
		for _, g := range u.SecondaryGids {
			m.SecondaryGIDs = append(m.SecondaryGIDs, uint32(g))
		}
	}
	return m, nil
}

// makeRoot makes an access point's root directory when it is missing and CreationInfo says how;
// without CreationInfo a missing root is an error, as a mount through it fails on EFS.
func (s *Service) makeRoot(tree, dir string, rd *RootDirectory) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fail(ErrBadRequest, "The access point's root directory is not a directory.")
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if rd == nil || rd.CreationInfo == nil {
		return fail(ErrBadRequest, "The access point's root directory does not exist and the access point has no CreationInfo.")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	perm, _ := strconv.ParseUint(rd.CreationInfo.Permissions, 8, 32)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := os.Chown(dir, int(*rd.CreationInfo.OwnerUid), int(*rd.CreationInfo.OwnerGid)); err != nil {
		return err
	}
	// Chmod after Chown: a chown clears the set-id bits a mode may ask for.
	if err := os.Chmod(dir, fs.FileMode(perm&0o777)|modeBits(perm)); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// modeBits turns the set-user-id, set-group-id and sticky bits of an octal mode into Go's.
func modeBits(perm uint64) fs.FileMode {
	var m fs.FileMode
	if perm&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if perm&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if perm&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// FileSystemSizes is the given accounts' file systems with their metered sizes (the cost
// ledger's storage sampler reads it once a minute on one node).
func (s *Service) FileSystemSizes(ctx context.Context, accounts []string) ([]FileSystemSize, error) {
	var out []FileSystemSize
	for _, account := range accounts {
		after := ""
		for {
			fss, err := s.store.ListFileSystemResources(ctx, store.EFSFileSystem, account, "", after, 1000)
			if err != nil {
				return nil, err
			}
			for _, fs := range fss {
				n, _ := s.size(account, fs.ID)
				out = append(out, FileSystemSize{AccountID: account, FileSystemID: fs.ID, Bytes: n})
			}
			if len(fss) < 1000 {
				break
			}
			after = fss[len(fss)-1].ID
		}
	}
	return out, nil
}

// FileSystemSize is one file system's metered size.
type FileSystemSize struct {
	AccountID, FileSystemID string
	Bytes                   int64
}
