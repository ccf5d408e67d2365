package efs

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"

	"github.com/gureum/gureum/internal/store"
)

// AWS's per-account file-system quota in a region.
const maxFileSystems = 1000

var creationTokenRE = regexp.MustCompile(`^.{1,64}$`)

// CreateFileSystem makes a file system, or answers FileSystemAlreadyExists with the one a
// CreationToken already made.
func (s *Service) CreateFileSystem(ctx context.Context, in *CreateFileSystemInput) (*FileSystemOutput, error) {
	if !creationTokenRE.MatchString(in.CreationToken) {
		return nil, fail(ErrBadRequest, "CreationToken must be between 1 and 64 characters.")
	}
	switch in.PerformanceMode {
	case "":
		in.PerformanceMode = "generalPurpose"
	case "generalPurpose", "maxIO":
	default:
		return nil, fail(ErrBadRequest, "PerformanceMode must be one of generalPurpose, maxIO.")
	}
	if in.ThroughputMode == "" {
		in.ThroughputMode = "bursting"
	}
	if err := checkThroughput(in.ThroughputMode, in.ProvisionedThroughputInMibps); err != nil {
		return nil, err
	}
	if in.KmsKeyId != "" && !in.Encrypted {
		return nil, fail(ErrBadRequest, "KmsKeyId can only be specified when Encrypted is true.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	account := callerAccount(ctx)
	if n, err := s.store.ListFileSystemResources(ctx, store.EFSFileSystem, account, "", "", maxFileSystems); err != nil {
		return nil, err
	} else if len(n) >= maxFileSystems {
		return nil, fail(ErrFileSystemLimitExceeded, "You have reached the maximum number of file systems allowed for your account in this Region.")
	}
	id := newID("fs-")
	fs := FileSystem{OwnerId: account, CreationToken: in.CreationToken, FileSystemId: id, FileSystemArn: s.fileSystemARN(account, id),
		CreationTime: Epoch(s.now()), LifeCycleState: "available", PerformanceMode: in.PerformanceMode, Encrypted: in.Encrypted,
		KmsKeyId: in.KmsKeyId, ThroughputMode: in.ThroughputMode, ProvisionedThroughputInMibps: in.ProvisionedThroughputInMibps,
		AvailabilityZoneName: in.AvailabilityZoneName, Tags: nonNil(in.Tags),
		FileSystemProtection: &FileSystemProtection{ReplicationOverwriteProtection: "ENABLED"}}
	if fs.Encrypted && fs.KmsKeyId == "" {
		fs.KmsKeyId = "arn:aws:kms:" + s.region + ":" + account + ":alias/aws/elasticfilesystem"
	}
	fs.Name = nameTag(fs.Tags)
	doc := fileSystemDoc{FileSystem: fs, Backup: "DISABLED"}
	if in.Backup != nil && *in.Backup {
		doc.Backup = "ENABLED"
	}
	b, _ := json.Marshal(doc)
	// The tree exists before the record that names it: a crash between leaves an empty
	// directory, never a file system without one.
	if err := os.MkdirAll(s.treeDir(account, id), 0o755); err != nil {
		return nil, err
	}
	existing, err := s.store.CreateFileSystemResource(ctx, store.FileSystemResource{Kind: store.EFSFileSystem, Account: account, ID: id,
		Token: in.CreationToken, Doc: b, Created: s.now()})
	if errors.Is(err, store.ErrExists) {
		os.Remove(s.treeDir(account, id))
		e := fail(ErrFileSystemAlreadyExists, "File system '%s' already exists with creation token '%s'", existing.ID, in.CreationToken)
		e.Fields = append(e.Fields, errField("FileSystemId", existing.ID))
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	fs.SizeInBytes = Size{Timestamp: &fs.CreationTime}
	return &FileSystemOutput{FileSystem: fs, Status: 201}, nil
}

func checkThroughput(mode string, mibps *float64) error {
	switch mode {
	case "bursting", "elastic":
		if mibps != nil {
			return fail(ErrBadRequest, "ProvisionedThroughputInMibps can only be specified when ThroughputMode is provisioned.")
		}
	case "provisioned":
		if mibps == nil || *mibps < 1 || *mibps > 3414 {
			return fail(ErrBadRequest, "ProvisionedThroughputInMibps must be between 1 and 3414 when ThroughputMode is provisioned.")
		}
	default:
		return fail(ErrBadRequest, "ThroughputMode must be one of bursting, provisioned, elastic.")
	}
	return nil
}

// fileSystem reads a file system of the caller's account.
func (s *Service) fileSystem(ctx context.Context, id string) (store.FileSystemResource, *fileSystemDoc, error) {
	if id == "" {
		return store.FileSystemResource{}, nil, fail(ErrBadRequest, "FileSystemId is required.")
	}
	r, err := s.store.FileSystemResource(ctx, store.EFSFileSystem, callerAccount(ctx), fileSystemIDOf(id))
	if errors.Is(err, store.ErrNotFound) {
		return r, nil, fail(ErrFileSystemNotFound, "File system '%s' does not exist.", id)
	}
	if err != nil {
		return r, nil, err
	}
	var d fileSystemDoc
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		return r, nil, err
	}
	return r, &d, nil
}

// fileSystemIDOf accepts a file system id or ARN.
func fileSystemIDOf(id string) string {
	if i := lastSlash(id); i >= 0 && len(id) > 4 && id[:4] == "arn:" {
		return id[i+1:]
	}
	return id
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// updateFileSystem applies change to a file system's document under its revision, again from a
// fresh read when another update came first.
func (s *Service) updateFileSystem(ctx context.Context, id string, change func(*fileSystemDoc) error) (*fileSystemDoc, error) {
	for {
		r, d, err := s.fileSystem(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(d); err != nil {
			return nil, err
		}
		r.Doc, _ = json.Marshal(d)
		err = s.store.UpdateFileSystemResource(ctx, r)
		if errors.Is(err, store.ErrConditionFailed) {
			continue
		}
		return d, err
	}
}

// describe completes a file system's description: its mount targets and metered size.
func (s *Service) describe(ctx context.Context, d *fileSystemDoc) (FileSystem, error) {
	fs := d.FileSystem
	mts, err := s.store.ListFileSystemResources(ctx, store.EFSMountTarget, fs.OwnerId, fs.FileSystemId, "", 0)
	if err != nil {
		return fs, err
	}
	fs.NumberOfMountTargets = len(mts)
	n, at := s.size(fs.OwnerId, fs.FileSystemId)
	ts := Epoch(at)
	fs.SizeInBytes = Size{Value: n, ValueInStandard: n, Timestamp: &ts}
	fs.Tags = nonNil(fs.Tags)
	return fs, nil
}

// DescribeFileSystems lists the account's file systems, or the one a token or id names.
func (s *Service) DescribeFileSystems(ctx context.Context, in *DescribeFileSystemsInput) (*DescribeFileSystemsOutput, error) {
	if in.CreationToken != "" && in.FileSystemId != "" {
		return nil, fail(ErrBadRequest, "You can't specify both CreationToken and FileSystemId.")
	}
	max := in.MaxItems
	if max <= 0 || max > 100 {
		max = 100
	}
	out := &DescribeFileSystemsOutput{Marker: in.Marker, FileSystems: []FileSystem{}}
	if in.FileSystemId != "" {
		_, d, err := s.fileSystem(ctx, in.FileSystemId)
		if err != nil {
			return nil, err
		}
		fs, err := s.describe(ctx, d)
		if err != nil {
			return nil, err
		}
		out.FileSystems = append(out.FileSystems, fs)
		return out, nil
	}
	after := in.Marker
	for {
		rs, err := s.store.ListFileSystemResources(ctx, store.EFSFileSystem, callerAccount(ctx), "", after, max+1)
		if err != nil {
			return nil, err
		}
		for i, r := range rs {
			if len(out.FileSystems) == max {
				out.NextMarker = rs[i-1].ID
				return out, nil
			}
			var d fileSystemDoc
			if json.Unmarshal(r.Doc, &d) != nil || (in.CreationToken != "" && d.CreationToken != in.CreationToken) {
				continue
			}
			fs, err := s.describe(ctx, &d)
			if err != nil {
				return nil, err
			}
			out.FileSystems = append(out.FileSystems, fs)
		}
		if len(rs) <= max {
			return out, nil
		}
		after = rs[len(rs)-1].ID
	}
}

// UpdateFileSystem changes a file system's throughput mode.
func (s *Service) UpdateFileSystem(ctx context.Context, in *UpdateFileSystemInput) (*FileSystemOutput, error) {
	d, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		mode := in.ThroughputMode
		if mode == "" {
			mode = d.ThroughputMode
		}
		mibps := in.ProvisionedThroughputInMibps
		if mibps == nil && mode == "provisioned" {
			mibps = d.ProvisionedThroughputInMibps
		}
		if err := checkThroughput(mode, mibps); err != nil {
			return err
		}
		d.ThroughputMode, d.ProvisionedThroughputInMibps = mode, mibps
		return nil
	})
	if err != nil {
		return nil, err
	}
	fs, err := s.describe(ctx, d)
	if err != nil {
		return nil, err
	}
	return &FileSystemOutput{FileSystem: fs, Status: 202}, nil
}

// DeleteFileSystem removes a file system without mount targets, its access points and its tree.
func (s *Service) DeleteFileSystem(ctx context.Context, in *FileSystemIDInput) (*Empty, error) {
	r, _, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	err = s.store.DeleteFileSystemResource(ctx, store.EFSFileSystem, r.Account, r.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, fail(ErrFileSystemInUse, "File system '%s' has mount targets; delete them first.", r.ID)
	case errors.Is(err, store.ErrNotFound):
		return nil, fail(ErrFileSystemNotFound, "File system '%s' does not exist.", r.ID)
	case err != nil:
		return nil, err
	}
	if err := os.RemoveAll(s.treeDir(r.Account, r.ID)); err != nil {
		s.log.Warn("efs: the deleted file system's tree was not removed", "file_system", r.ID, "err", err)
	}
	return &Empty{Status: 204}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nameTag(tags []Tag) string {
	for _, t := range tags {
		if t.Key == "Name" {
			return t.Value
		}
	}
	return ""
}
