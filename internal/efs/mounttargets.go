package efs

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Mount targets are accepted and recorded: gureum's functions reach a file system through their
// sandboxes, not over NFS, so a mount target is the configuration AWS needs (one per subnet, its
// security groups), kept so that templates and tools written for AWS work unchanged.

const maxSecurityGroups = 5

// CreateMountTarget records a mount target of a file system in a subnet.
func (s *Service) CreateMountTarget(ctx context.Context, in *CreateMountTargetInput) (*MountTargetOutput, error) {
	if !strings.HasPrefix(in.SubnetId, "subnet-") || len(in.SubnetId) < 15 || len(in.SubnetId) > 47 {
		return nil, fail(ErrBadRequest, "SubnetId must be a subnet id (subnet-…).")
	}
	if in.IpAddress != "" {
		if a, err := netip.ParseAddr(in.IpAddress); err != nil || !a.Is4() {
			return nil, fail(ErrBadRequest, "IpAddress must be an IPv4 address.")
		}
	}
	if err := checkSecurityGroups(in.SecurityGroups); err != nil {
		return nil, err
	}
	r, _, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	mts, err := s.store.ListFileSystemResources(ctx, store.EFSMountTarget, r.Account, r.ID, "", 0)
	if err != nil {
		return nil, err
	}
	for _, m := range mts {
		var mt MountTarget
		if json.Unmarshal(m.Doc, &mt) == nil && mt.SubnetId == in.SubnetId {
			return nil, fail(ErrMountTargetConflict, "File system '%s' already has a mount target in subnet '%s'.", r.ID, in.SubnetId)
		}
	}
	id := newID("fsmt-")
	mt := MountTarget{OwnerId: r.Account, MountTargetId: id, FileSystemId: r.ID, SubnetId: in.SubnetId, LifeCycleState: "available",
		IpAddress: in.IpAddress, NetworkInterfaceId: newID("eni-"), AvailabilityZoneName: s.region + "a",
		AvailabilityZoneId: s.region[:min(len(s.region), 3)] + "1-az1"}
	doc := mountTargetDoc{MountTarget: mt, Groups: in.SecurityGroups}
	b, _ := json.Marshal(doc)
	if _, err := s.store.CreateFileSystemResource(ctx, store.FileSystemResource{Kind: store.EFSMountTarget, Account: r.Account, ID: id,
		FileSystemID: r.ID, Doc: b, Created: s.now()}); errors.Is(err, store.ErrNotFound) {
		return nil, fail(ErrFileSystemNotFound, "File system '%s' does not exist.", r.ID)
	} else if err != nil {
		return nil, err
	}
	return &MountTargetOutput{MountTarget: mt}, nil
}

// mountTargetDoc is what the store keeps of a mount target: its description and security groups.
type mountTargetDoc struct {
	MountTarget
	Groups []string `json:"SecurityGroups,omitempty"`
}

func checkSecurityGroups(groups []string) error {
	if len(groups) > maxSecurityGroups {
		return fail(ErrSecurityGroupLimitExceeded, "A mount target can have at most %d security groups.", maxSecurityGroups)
	}
	for _, g := range groups {
		if !strings.HasPrefix(g, "sg-") || len(g) < 11 || len(g) > 43 {
			return fail(ErrSecurityGroupNotFound, "Security group '%s' does not exist.", g)
		}
	}
	return nil
}

func (s *Service) mountTarget(ctx context.Context, id string) (store.FileSystemResource, *mountTargetDoc, error) {
	r, err := s.store.FileSystemResource(ctx, store.EFSMountTarget, callerAccount(ctx), id)
	if errors.Is(err, store.ErrNotFound) || id == "" {
		return r, nil, fail(ErrMountTargetNotFound, "Mount target '%s' does not exist.", id)
	}
	if err != nil {
		return r, nil, err
	}
	var d mountTargetDoc
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		return r, nil, err
	}
	return r, &d, nil
}

// DescribeMountTargets lists a file system's mount targets, or one by id, or an access point's
// file system's.
func (s *Service) DescribeMountTargets(ctx context.Context, in *DescribeMountTargetsInput) (*DescribeMountTargetsOutput, error) {
	given := 0
	for _, v := range []string{in.FileSystemId, in.MountTargetId, in.AccessPointId} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return nil, fail(ErrBadRequest, "Specify exactly one of FileSystemId, MountTargetId or AccessPointId.")
	}
	out := &DescribeMountTargetsOutput{Marker: in.Marker, MountTargets: []MountTarget{}}
	if in.MountTargetId != "" {
		_, d, err := s.mountTarget(ctx, in.MountTargetId)
		if err != nil {
			return nil, err
		}
		out.MountTargets = append(out.MountTargets, d.MountTarget)
		return out, nil
	}
	fsID := in.FileSystemId
	if in.AccessPointId != "" {
		_, ap, err := s.accessPoint(ctx, callerAccount(ctx), in.AccessPointId)
		if err != nil {
			return nil, err
		}
		fsID = ap.FileSystemId
	}
	r, _, err := s.fileSystem(ctx, fsID)
	if err != nil {
		return nil, err
	}
	max := in.MaxItems
	if max <= 0 || max > 100 {
		max = 100
	}
	rs, err := s.store.ListFileSystemResources(ctx, store.EFSMountTarget, r.Account, r.ID, in.Marker, max+1)
	if err != nil {
		return nil, err
	}
	if len(rs) > max {
		rs = rs[:max]
		out.NextMarker = rs[max-1].ID
	}
	for _, m := range rs {
		var d mountTargetDoc
		if json.Unmarshal(m.Doc, &d) == nil {
			out.MountTargets = append(out.MountTargets, d.MountTarget)
		}
	}
	return out, nil
}

// DeleteMountTarget removes a mount target.
func (s *Service) DeleteMountTarget(ctx context.Context, in *MountTargetIDInput) (*Empty, error) {
	r, _, err := s.mountTarget(ctx, in.MountTargetId)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteFileSystemResource(ctx, store.EFSMountTarget, r.Account, r.ID); errors.Is(err, store.ErrNotFound) {
		return nil, fail(ErrMountTargetNotFound, "Mount target '%s' does not exist.", in.MountTargetId)
	} else if err != nil {
		return nil, err
	}
	return &Empty{Status: 204}, nil
}

// DescribeMountTargetSecurityGroups answers a mount target's security groups.
func (s *Service) DescribeMountTargetSecurityGroups(ctx context.Context, in *MountTargetIDInput) (*SecurityGroupsOutput, error) {
	_, d, err := s.mountTarget(ctx, in.MountTargetId)
	if err != nil {
		return nil, err
	}
	return &SecurityGroupsOutput{SecurityGroups: nonNil(d.Groups)}, nil
}

// ModifyMountTargetSecurityGroups replaces a mount target's security groups.
func (s *Service) ModifyMountTargetSecurityGroups(ctx context.Context, in *SecurityGroupsInput) (*Empty, error) {
	if err := checkSecurityGroups(in.SecurityGroups); err != nil {
		return nil, err
	}
	for {
		r, d, err := s.mountTarget(ctx, in.MountTargetId)
		if err != nil {
			return nil, err
		}
		d.Groups = in.SecurityGroups
		r.Doc, _ = json.Marshal(d)
		err = s.store.UpdateFileSystemResource(ctx, r)
		if errors.Is(err, store.ErrConditionFailed) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Empty{Status: 204}, nil
	}
}
