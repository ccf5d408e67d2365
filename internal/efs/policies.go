package efs

import (
	"context"

	"github.com/gureum/gureum/internal/iam/policy"
)

// PutFileSystemPolicy sets a file system's resource policy, validated as IAM validates one.
func (s *Service) PutFileSystemPolicy(ctx context.Context, in *PutFileSystemPolicyInput) (*FileSystemPolicyOutput, error) {
	if len(in.Policy) > 20000 {
		return nil, fail(ErrInvalidPolicy, "The policy is larger than 20,000 characters.")
	}
	if _, err := policy.Parse(in.Policy, policy.Resource); err != nil {
		return nil, fail(ErrInvalidPolicy, "%s", policyMessage(err))
	}
	d, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		d.Policy = in.Policy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &FileSystemPolicyOutput{FileSystemId: d.FileSystemId, Policy: d.Policy}, nil
}

func policyMessage(err error) string {
	if e, ok := err.(*policy.Error); ok {
		return e.Msg
	}
	return err.Error()
}

// DescribeFileSystemPolicy answers a file system's policy; PolicyNotFound when it has none.
func (s *Service) DescribeFileSystemPolicy(ctx context.Context, in *FileSystemIDInput) (*FileSystemPolicyOutput, error) {
	_, d, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	if d.Policy == "" {
		return nil, fail(ErrPolicyNotFound, "File system '%s' does not have a file system policy.", d.FileSystemId)
	}
	return &FileSystemPolicyOutput{FileSystemId: d.FileSystemId, Policy: d.Policy}, nil
}

// DeleteFileSystemPolicy removes a file system's policy (the default policy, full access to
// clients the caller's IAM allows, applies again).
func (s *Service) DeleteFileSystemPolicy(ctx context.Context, in *FileSystemIDInput) (*Empty, error) {
	if _, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		d.Policy = ""
		return nil
	}); err != nil {
		return nil, err
	}
	return &Empty{Status: 200}, nil
}

var transitionsToIA = map[string]bool{"AFTER_1_DAY": true, "AFTER_7_DAYS": true, "AFTER_14_DAYS": true, "AFTER_30_DAYS": true,
	"AFTER_60_DAYS": true, "AFTER_90_DAYS": true, "AFTER_180_DAYS": true, "AFTER_270_DAYS": true, "AFTER_365_DAYS": true}

// PutLifecycleConfiguration sets a file system's storage-class transitions (recorded: gureum's
// trees have one storage class, so every byte is reported as Standard).
func (s *Service) PutLifecycleConfiguration(ctx context.Context, in *PutLifecycleConfigurationInput) (*LifecycleConfigurationOutput, error) {
	var ia, primary, archive int
	for _, p := range in.LifecyclePolicies {
		set := 0
		if p.TransitionToIA != "" {
			if !transitionsToIA[p.TransitionToIA] {
				return nil, fail(ErrBadRequest, "TransitionToIA '%s' is not a valid transition.", p.TransitionToIA)
			}
			ia++
			set++
		}
		if p.TransitionToPrimaryStorageClass != "" {
			if p.TransitionToPrimaryStorageClass != "AFTER_1_ACCESS" {
				return nil, fail(ErrBadRequest, "TransitionToPrimaryStorageClass must be AFTER_1_ACCESS.")
			}
			primary++
			set++
		}
		if p.TransitionToArchive != "" {
			if !transitionsToIA[p.TransitionToArchive] || p.TransitionToArchive == "AFTER_7_DAYS" || p.TransitionToArchive == "AFTER_14_DAYS" {
				return nil, fail(ErrBadRequest, "TransitionToArchive '%s' is not a valid transition.", p.TransitionToArchive)
			}
			archive++
			set++
		}
		if set != 1 {
			return nil, fail(ErrBadRequest, "Each lifecycle policy must set exactly one transition.")
		}
	}
	if ia > 1 || primary > 1 || archive > 1 {
		return nil, fail(ErrBadRequest, "A lifecycle configuration may set each transition at most once.")
	}
	d, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		d.Lifecycle = in.LifecyclePolicies
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &LifecycleConfigurationOutput{LifecyclePolicies: nonNil(d.Lifecycle)}, nil
}

// DescribeLifecycleConfiguration answers a file system's transitions.
func (s *Service) DescribeLifecycleConfiguration(ctx context.Context, in *FileSystemIDInput) (*LifecycleConfigurationOutput, error) {
	_, d, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	return &LifecycleConfigurationOutput{LifecyclePolicies: nonNil(d.Lifecycle)}, nil
}

// PutBackupPolicy turns automatic backups on or off (recorded).
func (s *Service) PutBackupPolicy(ctx context.Context, in *PutBackupPolicyInput) (*BackupPolicyOutput, error) {
	if in.BackupPolicy == nil || (in.BackupPolicy.Status != "ENABLED" && in.BackupPolicy.Status != "DISABLED") {
		return nil, fail(ErrValidation, "BackupPolicy Status must be ENABLED or DISABLED.")
	}
	d, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		d.Backup = in.BackupPolicy.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &BackupPolicyOutput{BackupPolicy: &BackupPolicy{Status: d.Backup}}, nil
}

// DescribeBackupPolicy answers a file system's backup setting.
func (s *Service) DescribeBackupPolicy(ctx context.Context, in *FileSystemIDInput) (*BackupPolicyOutput, error) {
	_, d, err := s.fileSystem(ctx, in.FileSystemId)
	if err != nil {
		return nil, err
	}
	status := d.Backup
	if status == "" {
		status = "DISABLED"
	}
	return &BackupPolicyOutput{BackupPolicy: &BackupPolicy{Status: status}}, nil
}

// UpdateFileSystemProtection sets replication overwrite protection.
func (s *Service) UpdateFileSystemProtection(ctx context.Context, in *UpdateFileSystemProtectionInput) (*FileSystemProtection, error) {
	switch in.ReplicationOverwriteProtection {
	case "ENABLED", "DISABLED":
	default:
		return nil, fail(ErrBadRequest, "ReplicationOverwriteProtection must be ENABLED or DISABLED.")
	}
	d, err := s.updateFileSystem(ctx, in.FileSystemId, func(d *fileSystemDoc) error {
		d.FileSystemProtection = &FileSystemProtection{ReplicationOverwriteProtection: in.ReplicationOverwriteProtection}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d.FileSystemProtection, nil
}
