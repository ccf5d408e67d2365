package efs

import (
	"github.com/gureum/gureum/internal/protocol/scalar"
)

// Epoch is a timestamp as REST-JSON writes it: seconds since 1970, with a fraction.
type Epoch = scalar.Epoch

// Tag is a key and value.
type Tag struct {
	Key   string
	Value string
}

// Size is SizeInBytes: the bytes stored, metered from the tree.
type Size struct {
	Value           int64
	Timestamp       *Epoch `json:",omitempty"`
	ValueInIA       int64
	ValueInStandard int64
	ValueInArchive  int64
}

// FileSystemProtection is a file system's replication overwrite protection.
type FileSystemProtection struct {
	ReplicationOverwriteProtection string `json:",omitempty"`
}

// FileSystem is the FileSystemDescription shape, and the document kept for a file system
// (Tags, policies and the like beside it in fileSystemDoc).
type FileSystem struct {
	OwnerId                      string
	CreationToken                string
	FileSystemId                 string
	FileSystemArn                string
	CreationTime                 Epoch
	LifeCycleState               string
	Name                         string `json:",omitempty"`
	NumberOfMountTargets         int
	SizeInBytes                  Size
	PerformanceMode              string
	Encrypted                    bool
	KmsKeyId                     string   `json:",omitempty"`
	ThroughputMode               string   `json:",omitempty"`
	ProvisionedThroughputInMibps *float64 `json:",omitempty"`
	AvailabilityZoneName         string   `json:",omitempty"`
	AvailabilityZoneId           string   `json:",omitempty"`
	Tags                         []Tag
	FileSystemProtection         *FileSystemProtection `json:",omitempty"`
}

// fileSystemDoc is what the store keeps for a file system.
type fileSystemDoc struct {
	FileSystem
	Policy     string            `json:",omitempty"`
	Lifecycle  []LifecyclePolicy `json:",omitempty"`
	Backup     string            `json:",omitempty"`
	Protection string            `json:",omitempty"`
}

// PosixUser is who an access point's clients act as.
type PosixUser struct {
	Uid           *int64
	Gid           *int64
	SecondaryGids []int64 `json:",omitempty"`
}

// CreationInfo is how an access point's root directory is made when it is missing.
type CreationInfo struct {
	OwnerUid    *int64
	OwnerGid    *int64
	Permissions string
}

// RootDirectory is the directory an access point exposes as its root.
type RootDirectory struct {
	Path         string        `json:",omitempty"`
	CreationInfo *CreationInfo `json:",omitempty"`
}

// AccessPoint is the AccessPointDescription shape and the document kept for one.
type AccessPoint struct {
	ClientToken    string
	Name           string `json:",omitempty"`
	Tags           []Tag
	AccessPointId  string
	AccessPointArn string
	FileSystemId   string
	PosixUser      *PosixUser     `json:",omitempty"`
	RootDirectory  *RootDirectory `json:",omitempty"`
	OwnerId        string
	LifeCycleState string
}

// MountTarget is the MountTargetDescription shape and the document kept for one.
type MountTarget struct {
	OwnerId              string
	MountTargetId        string
	FileSystemId         string
	SubnetId             string
	LifeCycleState       string
	IpAddress            string `json:",omitempty"`
	NetworkInterfaceId   string `json:",omitempty"`
	AvailabilityZoneId   string `json:",omitempty"`
	AvailabilityZoneName string `json:",omitempty"`
	VpcId                string `json:",omitempty"`
}

// LifecyclePolicy is one rule of a lifecycle configuration.
type LifecyclePolicy struct {
	TransitionToIA                  string `json:",omitempty"`
	TransitionToPrimaryStorageClass string `json:",omitempty"`
	TransitionToArchive             string `json:",omitempty"`
}

// CreateFileSystemInput is CreateFileSystem's request.
type CreateFileSystemInput struct {
	CreationToken                string
	PerformanceMode              string
	Encrypted                    bool
	KmsKeyId                     string
	ThroughputMode               string
	ProvisionedThroughputInMibps *float64
	AvailabilityZoneName         string
	Backup                       *bool
	Tags                         []Tag
}

// FileSystemOutput is a FileSystemDescription answer with its status.
type FileSystemOutput struct {
	FileSystem
	Status int `rest:"status" json:"-"`
}

// FileSystemIDInput names a file system in the path.
type FileSystemIDInput struct {
	FileSystemId string `rest:"uri=FileSystemId" json:"-"`
}

// DescribeFileSystemsInput is DescribeFileSystems' request.
type DescribeFileSystemsInput struct {
	MaxItems      int    `rest:"query=MaxItems" json:"-"`
	Marker        string `rest:"query=Marker" json:"-"`
	CreationToken string `rest:"query=CreationToken" json:"-"`
	FileSystemId  string `rest:"query=FileSystemId" json:"-"`
}

// DescribeFileSystemsOutput is DescribeFileSystems' answer.
type DescribeFileSystemsOutput struct {
	Marker      string `json:",omitempty"`
	FileSystems []FileSystem
	NextMarker  string `json:",omitempty"`
}

// UpdateFileSystemInput is UpdateFileSystem's request.
type UpdateFileSystemInput struct {
	FileSystemId                 string `rest:"uri=FileSystemId" json:"-"`
	ThroughputMode               string
	ProvisionedThroughputInMibps *float64
}

// Empty is an answer without a body, with its status.
type Empty struct {
	Status int `rest:"status" json:"-"`
}

// CreateAccessPointInput is CreateAccessPoint's request.
type CreateAccessPointInput struct {
	ClientToken   string
	Tags          []Tag
	FileSystemId  string
	PosixUser     *PosixUser
	RootDirectory *RootDirectory
}

// AccessPointOutput is an AccessPointDescription answer.
type AccessPointOutput struct {
	AccessPoint
}

// AccessPointIDInput names an access point in the path.
type AccessPointIDInput struct {
	AccessPointId string `rest:"uri=AccessPointId" json:"-"`
}

// DescribeAccessPointsInput is DescribeAccessPoints' request.
type DescribeAccessPointsInput struct {
	MaxResults    int    `rest:"query=MaxResults" json:"-"`
	NextToken     string `rest:"query=NextToken" json:"-"`
	AccessPointId string `rest:"query=AccessPointId" json:"-"`
	FileSystemId  string `rest:"query=FileSystemId" json:"-"`
}

// DescribeAccessPointsOutput is DescribeAccessPoints' answer.
type DescribeAccessPointsOutput struct {
	AccessPoints []AccessPoint
	NextToken    string `json:",omitempty"`
}

// CreateMountTargetInput is CreateMountTarget's request.
type CreateMountTargetInput struct {
	FileSystemId   string
	SubnetId       string
	IpAddress      string
	IpAddressType  string
	Ipv6Address    string
	SecurityGroups []string
}

// MountTargetOutput is a MountTargetDescription answer.
type MountTargetOutput struct {
	MountTarget
}

// MountTargetIDInput names a mount target in the path.
type MountTargetIDInput struct {
	MountTargetId string `rest:"uri=MountTargetId" json:"-"`
}

// DescribeMountTargetsInput is DescribeMountTargets' request.
type DescribeMountTargetsInput struct {
	MaxItems      int    `rest:"query=MaxItems" json:"-"`
	Marker        string `rest:"query=Marker" json:"-"`
	FileSystemId  string `rest:"query=FileSystemId" json:"-"`
	MountTargetId string `rest:"query=MountTargetId" json:"-"`
	AccessPointId string `rest:"query=AccessPointId" json:"-"`
}

// DescribeMountTargetsOutput is DescribeMountTargets' answer.
type DescribeMountTargetsOutput struct {
	Marker       string `json:",omitempty"`
	MountTargets []MountTarget
	NextMarker   string `json:",omitempty"`
}

// SecurityGroupsInput is ModifyMountTargetSecurityGroups' request.
type SecurityGroupsInput struct {
	MountTargetId  string `rest:"uri=MountTargetId" json:"-"`
	SecurityGroups []string
}

// SecurityGroupsOutput is DescribeMountTargetSecurityGroups' answer.
type SecurityGroupsOutput struct {
	SecurityGroups []string
}

// PutFileSystemPolicyInput is PutFileSystemPolicy's request.
type PutFileSystemPolicyInput struct {
	FileSystemId                   string `rest:"uri=FileSystemId" json:"-"`
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
}

// FileSystemPolicyOutput is a FileSystemPolicyDescription answer.
type FileSystemPolicyOutput struct {
	FileSystemId string
	Policy       string
}

// PutLifecycleConfigurationInput is PutLifecycleConfiguration's request.
type PutLifecycleConfigurationInput struct {
	FileSystemId      string `rest:"uri=FileSystemId" json:"-"`
	LifecyclePolicies []LifecyclePolicy
}

// LifecycleConfigurationOutput is a LifecycleConfigurationDescription answer.
type LifecycleConfigurationOutput struct {
	LifecyclePolicies []LifecyclePolicy
}

// BackupPolicy is a file system's automatic backups setting.
type BackupPolicy struct {
	Status string
}

// PutBackupPolicyInput is PutBackupPolicy's request.
type PutBackupPolicyInput struct {
	FileSystemId string `rest:"uri=FileSystemId" json:"-"`
	BackupPolicy *BackupPolicy
}

// BackupPolicyOutput is a BackupPolicyDescription answer.
type BackupPolicyOutput struct {
	BackupPolicy *BackupPolicy
}

// UpdateFileSystemProtectionInput is UpdateFileSystemProtection's request.
type UpdateFileSystemProtectionInput struct {
	FileSystemId                   string `rest:"uri=FileSystemId" json:"-"`
	ReplicationOverwriteProtection string
}

// CreateTagsInput is the legacy CreateTags' request.
type CreateTagsInput struct {
	FileSystemId string `rest:"uri=FileSystemId" json:"-"`
	Tags         []Tag
	Status       int `rest:"status" json:"-"`
}

// DeleteTagsInput is the legacy DeleteTags' request.
type DeleteTagsInput struct {
	FileSystemId string `rest:"uri=FileSystemId" json:"-"`
	TagKeys      []string
}

// DescribeTagsInput is the legacy DescribeTags' request.
type DescribeTagsInput struct {
	FileSystemId string `rest:"uri=FileSystemId" json:"-"`
	MaxItems     int    `rest:"query=MaxItems" json:"-"`
	Marker       string `rest:"query=Marker" json:"-"`
}

// DescribeTagsOutput is the legacy DescribeTags' answer.
type DescribeTagsOutput struct {
	Marker     string `json:",omitempty"`
	Tags       []Tag
	NextMarker string `json:",omitempty"`
}

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceId string `rest:"uri=ResourceId" json:"-"`
	Tags       []Tag
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceId string   `rest:"uri=ResourceId" json:"-"`
	TagKeys    []string `rest:"query=tagKeys" json:"-"`
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct {
	ResourceId string `rest:"uri=ResourceId" json:"-"`
	MaxResults int    `rest:"query=MaxResults" json:"-"`
	NextToken  string `rest:"query=NextToken" json:"-"`
}

// ListTagsForResourceOutput is ListTagsForResource's answer.
type ListTagsForResourceOutput struct {
	Tags      []Tag
	NextToken string `json:",omitempty"`
}
