package efs

import (
	"context"
	"testing"

	"github.com/gureum/gureum/internal/request"
)

// TestResource: a call's IAM resource is the file system, access point or tagged resource its
// URI or body names; the same names as a Describe's query filters name none.
func TestResource(t *testing.T) {
	s := &Service{region: "us-east-1"}
	ctx := request.With(context.Background(), &request.Info{Principal: &request.Principal{Account: "111122223333"}})
	const fs = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-1"
	const ap = "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1"
	tests := []struct {
		in   any
		want string
	}{
		{&FileSystemIDInput{FileSystemId: "fs-1"}, fs},
		{&FileSystemIDInput{}, "*"},
		{&UpdateFileSystemInput{FileSystemId: "fs-1"}, fs},
		{&PutFileSystemPolicyInput{FileSystemId: "fs-1"}, fs},
		{&PutLifecycleConfigurationInput{FileSystemId: "fs-1"}, fs},
		{&PutBackupPolicyInput{FileSystemId: "fs-1"}, fs},
		{&UpdateFileSystemProtectionInput{FileSystemId: "fs-1"}, fs},
		{&CreateTagsInput{FileSystemId: "fs-1"}, fs},
		{&DeleteTagsInput{FileSystemId: "fs-1"}, fs},
		{&DescribeTagsInput{FileSystemId: "fs-1"}, fs},
		{&CreateAccessPointInput{FileSystemId: "fs-1"}, fs},
		{&CreateMountTargetInput{FileSystemId: "fs-1"}, fs},
		{&AccessPointIDInput{AccessPointId: "fsap-1"}, ap},
		{&TagResourceInput{ResourceId: "fsap-1"}, ap},
		{&UntagResourceInput{ResourceId: "fs-1"}, fs},
		{&ListTagsForResourceInput{ResourceId: fs}, fs},
		{&DescribeFileSystemsInput{FileSystemId: "fs-1"}, "*"},
		{&DescribeAccessPointsInput{FileSystemId: "fs-1", AccessPointId: "fsap-1"}, "*"},
		{&DescribeMountTargetsInput{FileSystemId: "fs-1", AccessPointId: "fsap-1"}, "*"},
		{&MountTargetIDInput{}, "*"},
		{&CreateFileSystemInput{}, "*"},
	}
	for _, tt := range tests {
		if got := s.resource(ctx, tt.in); got != tt.want {
			t.Errorf("resource(%T%+v) = %q; want %q", tt.in, tt.in, got, tt.want)
		}
	}
}
