package efs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func TestFileSystems(t *testing.T) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			testFileSystems(t, awsefs.NewFromConfig(srv.Config()), srv.DataDir)
		})
	}
}

func testFileSystems(t *testing.T, c *awsefs.Client, dataDir string) {
	fs, err := c.CreateFileSystem(bg, &awsefs.CreateFileSystemInput{CreationToken: aws.String("work"), Encrypted: aws.Bool(true),
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("partner-work")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := *fs.FileSystemId
	if len(id) != 20 || !strings.HasPrefix(id, "fs-") || fs.LifeCycleState != types.LifeCycleStateAvailable || *fs.Name != "partner-work" ||
		*fs.FileSystemArn != "arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/"+id || fs.PerformanceMode != types.PerformanceModeGeneralPurpose {
		t.Fatalf("CreateFileSystem = %+v", fs)
	}
	// The creation token makes the call idempotent: the second answers the first's id.
	_, err = c.CreateFileSystem(bg, &awsefs.CreateFileSystemInput{CreationToken: aws.String("work")})
	var exists *types.FileSystemAlreadyExists
	if !errors.As(err, &exists) || aws.ToString(exists.FileSystemId) != id {
		t.Errorf("CreateFileSystem(same token) = %v; want FileSystemAlreadyExists naming %s", err, id)
	}
	if _, err := c.CreateFileSystem(bg, &awsefs.CreateFileSystemInput{CreationToken: aws.String("x"), ThroughputMode: types.ThroughputModeProvisioned}); code(err) != "BadRequest" {
		t.Errorf("provisioned without a rate = %v; want BadRequest", err)
	}
	// Waiters (the CLI's file-system-available, CloudFormation's) poll for "available".
	if d, err := c.DescribeFileSystems(bg, &awsefs.DescribeFileSystemsInput{CreationToken: aws.String("work")}); err != nil ||
		len(d.FileSystems) != 1 || d.FileSystems[0].LifeCycleState != types.LifeCycleStateAvailable {
		t.Errorf("DescribeFileSystems(by token) = %+v, %v", d, err)
	}
	up, err := c.UpdateFileSystem(bg, &awsefs.UpdateFileSystemInput{FileSystemId: &id, ThroughputMode: types.ThroughputModeElastic})
	if err != nil || up.ThroughputMode != types.ThroughputModeElastic {
		t.Errorf("UpdateFileSystem = %+v, %v", up, err)
	}
	// Access points: a POSIX user and a root directory made on first use.
	ap, err := c.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("ap1"), FileSystemId: &id,
		PosixUser: &types.PosixUser{Uid: aws.Int64(1001), Gid: aws.Int64(1001)},
		RootDirectory: &types.RootDirectory{Path: aws.String("/lambda"),
			CreationInfo: &types.CreationInfo{OwnerUid: aws.Int64(1001), OwnerGid: aws.Int64(1001), Permissions: aws.String("750")}}})
	if err != nil || !strings.HasPrefix(*ap.AccessPointId, "fsap-") || len(*ap.AccessPointId) != 22 || *ap.FileSystemId != id {
		t.Fatalf("CreateAccessPoint = %+v, %v", ap, err)
	}
	again, err := c.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("ap1"), FileSystemId: &id,
		PosixUser: &types.PosixUser{Uid: aws.Int64(1001), Gid: aws.Int64(1001)},
		RootDirectory: &types.RootDirectory{Path: aws.String("/lambda"),
			CreationInfo: &types.CreationInfo{OwnerUid: aws.Int64(1001), OwnerGid: aws.Int64(1001), Permissions: aws.String("750")}}})
	if err != nil || *again.AccessPointId != *ap.AccessPointId {
		t.Errorf("CreateAccessPoint retried = %+v, %v; want the same access point", again, err)
	}
	if _, err := c.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("ap1"), FileSystemId: &id}); code(err) != "AccessPointAlreadyExists" {
		t.Errorf("CreateAccessPoint(token reused for other settings) = %v", err)
	}
	if _, err := c.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("ap2"), FileSystemId: &id,
		RootDirectory: &types.RootDirectory{Path: aws.String("/a/../b")}}); code(err) != "BadRequest" {
		t.Errorf("CreateAccessPoint(dot-dot root) = %v", err)
	}
	if _, err := c.CreateAccessPoint(bg, &awsefs.CreateAccessPointInput{ClientToken: aws.String("ap3"), FileSystemId: aws.String("fs-0123456789abcdef0")}); code(err) != "FileSystemNotFound" {
		t.Errorf("CreateAccessPoint(no such file system) = %v", err)
	}
	aps, err := c.DescribeAccessPoints(bg, &awsefs.DescribeAccessPointsInput{FileSystemId: &id})
	if err != nil || len(aps.AccessPoints) != 1 || *aps.AccessPoints[0].PosixUser.Uid != 1001 || *aps.AccessPoints[0].RootDirectory.Path != "/lambda" {
		t.Errorf("DescribeAccessPoints = %+v, %v", aps, err)
	}
	// Mount targets are recorded, one a subnet, and keep a file system in use.
	mt, err := c.CreateMountTarget(bg, &awsefs.CreateMountTargetInput{FileSystemId: &id, SubnetId: aws.String("subnet-0abc12345"), SecurityGroups: []string{"sg-00000001"}})
	if err != nil || !strings.HasPrefix(*mt.MountTargetId, "fsmt-") || mt.LifeCycleState != types.LifeCycleStateAvailable {
		t.Fatalf("CreateMountTarget = %+v, %v", mt, err)
	}
	if _, err := c.CreateMountTarget(bg, &awsefs.CreateMountTargetInput{FileSystemId: &id, SubnetId: aws.String("subnet-0abc12345")}); code(err) != "MountTargetConflict" {
		t.Errorf("a second mount target in the subnet = %v", err)
	}
	if _, err := c.ModifyMountTargetSecurityGroups(bg, &awsefs.ModifyMountTargetSecurityGroupsInput{MountTargetId: mt.MountTargetId, SecurityGroups: []string{"sg-00000002", "sg-00000003"}}); err != nil {
		t.Error(err)
	}
	if sg, err := c.DescribeMountTargetSecurityGroups(bg, &awsefs.DescribeMountTargetSecurityGroupsInput{MountTargetId: mt.MountTargetId}); err != nil || len(sg.SecurityGroups) != 2 {
		t.Errorf("DescribeMountTargetSecurityGroups = %+v, %v", sg, err)
	}
	if mts, err := c.DescribeMountTargets(bg, &awsefs.DescribeMountTargetsInput{AccessPointId: ap.AccessPointId}); err != nil || len(mts.MountTargets) != 1 {
		t.Errorf("DescribeMountTargets(by access point) = %+v, %v", mts, err)
	}
	d, err := c.DescribeFileSystems(bg, &awsefs.DescribeFileSystemsInput{FileSystemId: &id})
	if err != nil || len(d.FileSystems) != 1 || d.FileSystems[0].NumberOfMountTargets != 1 {
		t.Errorf("DescribeFileSystems = %+v, %v", d, err)
	}
	if _, err := c.DeleteFileSystem(bg, &awsefs.DeleteFileSystemInput{FileSystemId: &id}); code(err) != "FileSystemInUse" {
		t.Errorf("DeleteFileSystem with a mount target = %v; want FileSystemInUse", err)
	}
	// Policies and settings.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"elasticfilesystem:ClientMount","Resource":"*"}]}`
	if _, err := c.DescribeFileSystemPolicy(bg, &awsefs.DescribeFileSystemPolicyInput{FileSystemId: &id}); code(err) != "PolicyNotFound" {
		t.Errorf("DescribeFileSystemPolicy before one = %v", err)
	}
	if _, err := c.PutFileSystemPolicy(bg, &awsefs.PutFileSystemPolicyInput{FileSystemId: &id, Policy: aws.String(`{"Statement":[]}`)}); code(err) != "InvalidPolicyException" {
		t.Errorf("PutFileSystemPolicy(bad) = %v", err)
	}
	if p, err := c.PutFileSystemPolicy(bg, &awsefs.PutFileSystemPolicyInput{FileSystemId: &id, Policy: &pol}); err != nil || *p.Policy != pol {
		t.Errorf("PutFileSystemPolicy = %+v, %v", p, err)
	}
	if _, err := c.PutLifecycleConfiguration(bg, &awsefs.PutLifecycleConfigurationInput{FileSystemId: &id,
		LifecyclePolicies: []types.LifecyclePolicy{{TransitionToIA: types.TransitionToIARulesAfter30Days}}}); err != nil {
		t.Error(err)
	}
	if lc, err := c.DescribeLifecycleConfiguration(bg, &awsefs.DescribeLifecycleConfigurationInput{FileSystemId: &id}); err != nil || len(lc.LifecyclePolicies) != 1 {
		t.Errorf("DescribeLifecycleConfiguration = %+v, %v", lc, err)
	}
	if bp, err := c.PutBackupPolicy(bg, &awsefs.PutBackupPolicyInput{FileSystemId: &id, BackupPolicy: &types.BackupPolicy{Status: types.StatusEnabled}}); err != nil || bp.BackupPolicy.Status != types.StatusEnabled {
		t.Errorf("PutBackupPolicy = %+v, %v", bp, err)
	}
	if pr, err := c.UpdateFileSystemProtection(bg, &awsefs.UpdateFileSystemProtectionInput{FileSystemId: &id,
		ReplicationOverwriteProtection: types.ReplicationOverwriteProtectionDisabled}); err != nil || pr.ReplicationOverwriteProtection != types.ReplicationOverwriteProtectionDisabled {
		t.Errorf("UpdateFileSystemProtection = %+v, %v", pr, err)
	}
	// Tags, through both APIs, on file systems and access points.
	if _, err := c.TagResource(bg, &awsefs.TagResourceInput{ResourceId: &id, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Error(err)
	}
	if _, err := c.DeleteTags(bg, &awsefs.DeleteTagsInput{FileSystemId: &id, TagKeys: []string{"Name"}}); err != nil {
		t.Error(err)
	}
	if tags, err := c.DescribeTags(bg, &awsefs.DescribeTagsInput{FileSystemId: &id}); err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
		t.Errorf("DescribeTags = %+v, %v", tags, err)
	}
	if _, err := c.TagResource(bg, &awsefs.TagResourceInput{ResourceId: ap.AccessPointId, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("fn")}}}); err != nil {
		t.Error(err)
	}
	if _, err := c.UntagResource(bg, &awsefs.UntagResourceInput{ResourceId: ap.AccessPointId, TagKeys: []string{"nothing"}}); err != nil {
		t.Error(err)
	}
	if tags, err := c.ListTagsForResource(bg, &awsefs.ListTagsForResourceInput{ResourceId: ap.AccessPointId}); err != nil || len(tags.Tags) != 1 {
		t.Errorf("ListTagsForResource(access point) = %+v, %v", tags, err)
	}
	// The tree is the file system's, and its metered size follows what is written into it.
	tree := filepath.Join(dataDir, "efs", "000000000000", id)
	if st, err := os.Stat(tree); err != nil || !st.IsDir() {
		t.Fatalf("tree %s: %v", tree, err)
	}
	// Delete: the mount target first, then the file system, its access points and its tree.
	if _, err := c.DeleteMountTarget(bg, &awsefs.DeleteMountTargetInput{MountTargetId: mt.MountTargetId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteFileSystem(bg, &awsefs.DeleteFileSystemInput{FileSystemId: &id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeAccessPoints(bg, &awsefs.DescribeAccessPointsInput{AccessPointId: ap.AccessPointId}); code(err) != "AccessPointNotFound" {
		t.Errorf("access point after its file system = %v", err)
	}
	if _, err := c.DescribeFileSystems(bg, &awsefs.DescribeFileSystemsInput{FileSystemId: &id}); code(err) != "FileSystemNotFound" {
		t.Errorf("DescribeFileSystems(deleted) = %v", err)
	}
	if _, err := os.Stat(tree); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tree after delete: %v", err)
	}
}
