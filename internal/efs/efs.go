// Package efs is Amazon Elastic File System (API 2015-02-01, REST-JSON) for functions: file
// systems, access points and mount targets kept in the store (store.FileSystems), each file
// system a directory tree under a root directory gureum manages (the data dir's "efs", or a path
// the operator gives, such as an NFS mount shared by several nodes). Lambda mounts an access
// point's root directory into a function's sandbox (Mounts.Resolve), where file operations act as
// the access point's POSIX user, as EFS enforces it.
package efs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
)

// Deps is what EFS is built with.
type Deps struct {
	service.Env
	Store store.FileSystems
	// Root is the directory the file systems' trees live under (default: the data dir's "efs").
	Root string
	// Authorizer decides a function role's mount against a file system's policy (nil: mounts
	// are not authorized beyond the access point's account, as with --iam-enforcement=false).
	Authorizer Authorizer
}

// Authorizer decides whether a role may perform action on resource, weighing its identity
// policies and the resource's policy as IAM does (iam.Enforcer, through the server's wiring).
type Authorizer interface {
	AuthorizeRole(ctx context.Context, roleARN, action, resource, resourcePolicy string) error
}

// Service serves EFS.
type Service struct {
	store  store.FileSystems
	region string
	clock  background.Clock
	log    *slog.Logger
	root   string
	authz  Authorizer

	sizeMu sync.Mutex
	sizes  map[string]sized // metered bytes by file system, at most sizeTTL old
}

type sized struct {
	bytes int64
	at    time.Time
}

// sizeTTL is how long a metered size stands: EFS's SizeInBytes is not exact either ("the latest
// known metered size", updated about hourly); a walk of a large tree costs, so it is cached.
const sizeTTL = 30 * time.Second

// New returns the EFS service.
func New(d Deps) *Service {
	d.Env = d.Env.For("efs")
	root := d.Root
	if root == "" && d.DataDir != "" {
		root = filepath.Join(d.DataDir, "efs")
	}
	return &Service{store: d.Store, region: d.Region, clock: d.Clock, log: d.Log, root: root, authz: d.Authorizer, sizes: map[string]sized{}}
}

// Describe returns EFS's operation table: every operation of the 2015-02-01 API.
func (s *Service) Describe() *service.Service {
	op := func(name, method, path string, h service.Handler) service.Operation {
		return service.Operation{Name: name, Action: "elasticfilesystem:" + name, Handler: h,
			Route: service.Route{Method: method, Path: path}, Resource: s.resource}
	}
	const v = "/2015-02-01"
	return (&service.Service{
		Name:        "efs",
		SigningName: "elasticfilesystem",
		Protocol:    service.RESTJSON,
		APIVersion:  "2015-02-01",
		Operations: []service.Operation{
			op("CreateAccessPoint", "POST", v+"/access-points", service.Func(s.CreateAccessPoint)),
			op("CreateFileSystem", "POST", v+"/file-systems", service.Func(s.CreateFileSystem)),
			op("CreateMountTarget", "POST", v+"/mount-targets", service.Func(s.CreateMountTarget)),
			op("CreateReplicationConfiguration", "POST", v+"/file-systems/{SourceFileSystemId}/replication-configuration", nil),
			op("CreateTags", "POST", v+"/create-tags/{FileSystemId}", service.Func(s.CreateTags)),
			op("DeleteAccessPoint", "DELETE", v+"/access-points/{AccessPointId}", service.Func(s.DeleteAccessPoint)),
			op("DeleteFileSystem", "DELETE", v+"/file-systems/{FileSystemId}", service.Func(s.DeleteFileSystem)),
			op("DeleteFileSystemPolicy", "DELETE", v+"/file-systems/{FileSystemId}/policy", service.Func(s.DeleteFileSystemPolicy)),
			op("DeleteMountTarget", "DELETE", v+"/mount-targets/{MountTargetId}", service.Func(s.DeleteMountTarget)),
			op("DeleteReplicationConfiguration", "DELETE", v+"/file-systems/{SourceFileSystemId}/replication-configuration", nil),
			op("DeleteTags", "POST", v+"/delete-tags/{FileSystemId}", service.Func(s.DeleteTags)),
			op("DescribeAccessPoints", "GET", v+"/access-points", service.Func(s.DescribeAccessPoints)),
			op("DescribeAccountPreferences", "GET", v+"/account-preferences", nil),
			op("DescribeBackupPolicy", "GET", v+"/file-systems/{FileSystemId}/backup-policy", service.Func(s.DescribeBackupPolicy)),
			op("DescribeFileSystemPolicy", "GET", v+"/file-systems/{FileSystemId}/policy", service.Func(s.DescribeFileSystemPolicy)),
			op("DescribeFileSystems", "GET", v+"/file-systems", service.Func(s.DescribeFileSystems)),
			op("DescribeLifecycleConfiguration", "GET", v+"/file-systems/{FileSystemId}/lifecycle-configuration", service.Func(s.DescribeLifecycleConfiguration)),
			op("DescribeMountTargetSecurityGroups", "GET", v+"/mount-targets/{MountTargetId}/security-groups", service.Func(s.DescribeMountTargetSecurityGroups)),
			op("DescribeMountTargets", "GET", v+"/mount-targets", service.Func(s.DescribeMountTargets)),
			op("DescribeReplicationConfigurations", "GET", v+"/file-systems/replication-configurations", nil),
			op("DescribeTags", "GET", v+"/tags/{FileSystemId}", service.Func(s.DescribeTags)),
			op("ListTagsForResource", "GET", v+"/resource-tags/{ResourceId}", service.Func(s.ListTagsForResource)),
			op("ModifyMountTargetSecurityGroups", "PUT", v+"/mount-targets/{MountTargetId}/security-groups", service.Func(s.ModifyMountTargetSecurityGroups)),
			op("PutAccountPreferences", "PUT", v+"/account-preferences", nil),
			op("PutBackupPolicy", "PUT", v+"/file-systems/{FileSystemId}/backup-policy", service.Func(s.PutBackupPolicy)),
			op("PutFileSystemPolicy", "PUT", v+"/file-systems/{FileSystemId}/policy", service.Func(s.PutFileSystemPolicy)),
			op("PutLifecycleConfiguration", "PUT", v+"/file-systems/{FileSystemId}/lifecycle-configuration", service.Func(s.PutLifecycleConfiguration)),
			op("TagResource", "POST", v+"/resource-tags/{ResourceId}", service.Func(s.TagResource)),
			op("UntagResource", "DELETE", v+"/resource-tags/{ResourceId}", service.Func(s.UntagResource)),
			op("UpdateFileSystem", "PUT", v+"/file-systems/{FileSystemId}", service.Func(s.UpdateFileSystem)),
			op("UpdateFileSystemProtection", "PUT", v+"/file-systems/{FileSystemId}/protection", service.Func(s.UpdateFileSystemProtection)),
		},
	}).Index()
}

// resource is the IAM resource of a call: the file system (FileSystemId), access point
// (AccessPointId) or either (ResourceId, an id or an ARN) its input names in the URI or the body,
// else "*". The same names as query parameters filter a Describe listing and name no resource.
func (s *Service) resource(ctx context.Context, in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "*"
	}
	named := func(name string) string {
		sf, ok := v.Type().FieldByName(name)
		if !ok || sf.Type.Kind() != reflect.String || strings.HasPrefix(sf.Tag.Get("rest"), "query=") {
			return ""
		}
		return v.FieldByIndex(sf.Index).String()
	}
	account := callerAccount(ctx)
	if id := named("FileSystemId"); id != "" {
		return s.fileSystemARN(account, id)
	}
	if id := named("AccessPointId"); id != "" {
		return s.accessPointARN(account, id)
	}
	if id := named("ResourceId"); id != "" {
		return s.resourceARN(account, id)
	}
	return "*"
}

func callerAccount(ctx context.Context) string {
	if p := request.From(ctx).Principal; p != nil {
		return p.Account
	}
	return ""
}

func (s *Service) fileSystemARN(account, id string) string {
	return "arn:aws:elasticfilesystem:" + s.region + ":" + account + ":file-system/" + id
}

func (s *Service) accessPointARN(account, id string) string {
	return "arn:aws:elasticfilesystem:" + s.region + ":" + account + ":access-point/" + id
}

// resourceARN is the ARN of a file system or access point id (or of an ARN given as the id).
func (s *Service) resourceARN(account, id string) string {
	switch {
	case len(id) > 4 && id[:4] == "arn:":
		return id
	case len(id) > 5 && id[:5] == "fsap-":
		return s.accessPointARN(account, id)
	default:
		return s.fileSystemARN(account, id)
	}
}

// newID is a resource id as EFS makes them: a prefix and 17 lowercase hexadecimal digits.
func newID(prefix string) string {
	var b [9]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])[:17]
}

func (s *Service) now() time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	return time.Now()
}
