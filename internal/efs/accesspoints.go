package efs

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// AWS's access-point quota per file system.
const maxAccessPoints = 1000

// CreateAccessPoint makes an access point of a file system: a POSIX user its clients act as and
// a root directory they see, made on first use with CreationInfo.
func (s *Service) CreateAccessPoint(ctx context.Context, in *CreateAccessPointInput) (*AccessPointOutput, error) {
	if in.ClientToken == "" || len(in.ClientToken) > 64 {
		return nil, fail(ErrBadRequest, "ClientToken must be between 1 and 64 characters.")
	}
	if err := checkPosixUser(in.PosixUser); err != nil {
		return nil, err
	}
	root, err := checkRootDirectory(in.RootDirectory)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	r, _, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	aps, err := s.store.ListFileSystemResources(ctx, store.EFSAccessPoint, r.Account, r.ID, "", maxAccessPoints)
	if err != nil {
		return nil, err
	}
	if len(aps) >= maxAccessPoints {
		return nil, fail(ErrAccessPointLimitExceeded, "You have reached the maximum number of access points (%d) for file system %s.", maxAccessPoints, r.ID)
	}
	id := newID("fsap-")
	ap := AccessPoint{ClientToken: in.ClientToken, Name: nameTag(in.Tags), Tags: nonNil(in.Tags), AccessPointId: id,
		AccessPointArn: s.accessPointARN(r.Account, id), FileSystemId: r.ID, PosixUser: in.PosixUser, RootDirectory: root,
		OwnerId: r.Account, LifeCycleState: "available"}
	b, _ := json.Marshal(ap)
	existing, err := s.store.CreateFileSystemResource(ctx, store.FileSystemResource{Kind: store.EFSAccessPoint, Account: r.Account, ID: id,
		FileSystemID: r.ID, Token: in.ClientToken, Doc: b, Created: s.now()})
	if errors.Is(err, store.ErrExists) {
		var prev AccessPoint
		json.Unmarshal(existing.Doc, &prev)
		if prev.FileSystemId == r.ID && sameRequest(prev, ap) {
			return &AccessPointOutput{AccessPoint: prev}, nil // an idempotent retry
		}
		e := fail(ErrAccessPointAlreadyExists, "Access point with client token '%s' already exists: %s", in.ClientToken, existing.ID)
		e.Fields = append(e.Fields, errField("AccessPointId", existing.ID))
		return nil, e
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(ErrFileSystemNotFound, "File system '%s' does not exist.", r.ID)
	}
	if err != nil {
		return nil, err
	}
	return &AccessPointOutput{AccessPoint: ap}, nil
}

// sameRequest reports whether two access points were asked for with the same settings.
func sameRequest(a, b AccessPoint) bool {
	x, _ := json.Marshal([]any{a.PosixUser, a.RootDirectory, a.Tags})
	y, _ := json.Marshal([]any{b.PosixUser, b.RootDirectory, b.Tags})
	return string(x) == string(y)
}

func checkPosixUser(u *PosixUser) error {
	if u == nil {
		return nil
	}
	if u.Uid == nil || u.Gid == nil {
		return fail(ErrBadRequest, "PosixUser requires both Uid and Gid.")
	}
	ids := append([]int64{*u.Uid, *u.Gid}, u.SecondaryGids...)
	for _, id := range ids {
		if id < 0 || id > 4294967295 {
			return fail(ErrBadRequest, "POSIX ids must be between 0 and 4294967295.")
		}
	}
	if len(u.SecondaryGids) > 16 {
		return fail(ErrBadRequest, "PosixUser may have at most 16 secondary group ids.")
	}
	return nil
}

// checkRootDirectory validates an access point's root directory and fills its default, "/".
func checkRootDirectory(d *RootDirectory) (*RootDirectory, error) {
	if d == nil {
		return &RootDirectory{Path: "/"}, nil
	}
	out := *d
	if out.Path == "" {
		out.Path = "/"
	}
	if !strings.HasPrefix(out.Path, "/") || len(out.Path) > 100 {
		return nil, fail(ErrBadRequest, "RootDirectory Path must be an absolute path of at most 100 characters.")
	}
	for _, seg := range strings.Split(out.Path, "/") {
		if seg == ".." || seg == "." {
			return nil, fail(ErrBadRequest, "RootDirectory Path must not contain '.' or '..' components.")
		}
	}
	out.Path = path.Clean(out.Path)
	if c := out.CreationInfo; c != nil {
		if c.OwnerUid == nil || c.OwnerGid == nil || c.Permissions == "" {
			return nil, fail(ErrBadRequest, "CreationInfo requires OwnerUid, OwnerGid and Permissions.")
		}
		if p, err := strconv.ParseUint(c.Permissions, 8, 32); err != nil || p > 0o7777 || len(c.Permissions) < 3 || len(c.Permissions) > 4 {
			return nil, fail(ErrBadRequest, "Permissions must be an octal mode of 3 or 4 digits, such as 755.")
		}
		if *c.OwnerUid < 0 || *c.OwnerUid > 4294967295 || *c.OwnerGid < 0 || *c.OwnerGid > 4294967295 {
			return nil, fail(ErrBadRequest, "POSIX ids must be between 0 and 4294967295.")
		}
	}
	return &out, nil
}

// accessPoint reads an access point of an account.
func (s *Service) accessPoint(ctx context.Context, account, id string) (store.FileSystemResource, *AccessPoint, error) {
	r, err := s.store.FileSystemResource(ctx, store.EFSAccessPoint, account, fileSystemIDOf(id))
	if errors.Is(err, store.ErrNotFound) {
		return r, nil, fail(ErrAccessPointNotFound, "Access point '%s' does not exist.", id)
	}
	if err != nil {
		return r, nil, err
	}
	var ap AccessPoint
	if err := json.Unmarshal(r.Doc, &ap); err != nil {
		return r, nil, err
	}
	return r, &ap, nil
}

// DescribeAccessPoints lists access points: one by id, a file system's, or the account's.
func (s *Service) DescribeAccessPoints(ctx context.Context, in *DescribeAccessPointsInput) (*DescribeAccessPointsOutput, error) {
	if in.AccessPointId != "" && in.FileSystemId != "" {
		return nil, fail(ErrBadRequest, "You can't specify both AccessPointId and FileSystemId.")
	}
	account := callerAccount(ctx)
	out := &DescribeAccessPointsOutput{AccessPoints: []AccessPoint{}}
	if in.AccessPointId != "" {
		_, ap, err := s.accessPoint(ctx, account, in.AccessPointId)
		if err != nil {
			return nil, err
		}
		out.AccessPoints = append(out.AccessPoints, *ap)
		return out, nil
	}
	fsID := ""
	if in.FileSystemId != "" {
		r, _, err := s.fileSystem(ctx, in.FileSystemId)
		if err != nil {
			return nil, err
		}
		fsID = r.ID
	}
	max := in.MaxResults
	if max <= 0 || max > 1000 {
		max = 1000
	}
	rs, err := s.store.ListFileSystemResources(ctx, store.EFSAccessPoint, account, fsID, in.NextToken, max+1)
	if err != nil {
		return nil, err
	}
	if len(rs) > max {
		rs = rs[:max]
		out.NextToken = rs[max-1].ID
	}
	for _, r := range rs {
		var ap AccessPoint
		if json.Unmarshal(r.Doc, &ap) == nil {
			ap.Tags = nonNil(ap.Tags)
			out.AccessPoints = append(out.AccessPoints, ap)
		}
	}
	return out, nil
}

// DeleteAccessPoint removes an access point; files it made stay in the file system.
func (s *Service) DeleteAccessPoint(ctx context.Context, in *AccessPointIDInput) (*Empty, error) {
	account := callerAccount(ctx)
	r, _, err := s.accessPoint(ctx, account, in.AccessPointId)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteFileSystemResource(ctx, store.EFSAccessPoint, account, r.ID); errors.Is(err, store.ErrNotFound) {
		return nil, fail(ErrAccessPointNotFound, "Access point '%s' does not exist.", in.AccessPointId)
	} else if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}
