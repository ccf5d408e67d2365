package efs

import "github.com/gureum/gureum/internal/awserr"

// EFS's error codes and statuses (botocore efs 2015-02-01).
var (
	ErrAccessPointAlreadyExists       = &awserr.Code{Name: "AccessPointAlreadyExists", Status: 409}
	ErrAccessPointLimitExceeded       = &awserr.Code{Name: "AccessPointLimitExceeded", Status: 403}
	ErrAccessPointNotFound            = &awserr.Code{Name: "AccessPointNotFound", Status: 404}
	ErrBadRequest                     = &awserr.Code{Name: "BadRequest", Status: 400}
	ErrFileSystemAlreadyExists        = &awserr.Code{Name: "FileSystemAlreadyExists", Status: 409}
	ErrFileSystemInUse                = &awserr.Code{Name: "FileSystemInUse", Status: 409}
	ErrFileSystemLimitExceeded        = &awserr.Code{Name: "FileSystemLimitExceeded", Status: 403}
	ErrFileSystemNotFound             = &awserr.Code{Name: "FileSystemNotFound", Status: 404}
	ErrIncorrectFileSystemLifeCycle   = &awserr.Code{Name: "IncorrectFileSystemLifeCycleState", Status: 409}
	ErrInternalServer                 = &awserr.Code{Name: "InternalServerError", Status: 500, Receiver: true}
	ErrInvalidPolicy                  = &awserr.Code{Name: "InvalidPolicyException", Status: 400}
	ErrMountTargetConflict            = &awserr.Code{Name: "MountTargetConflict", Status: 409}
	ErrMountTargetNotFound            = &awserr.Code{Name: "MountTargetNotFound", Status: 404}
	ErrPolicyNotFound                 = &awserr.Code{Name: "PolicyNotFound", Status: 404}
	ErrSecurityGroupLimitExceeded     = &awserr.Code{Name: "SecurityGroupLimitExceeded", Status: 400}
	ErrSubnetNotFound                 = &awserr.Code{Name: "SubnetNotFound", Status: 400}
	ErrTooManyRequests                = &awserr.Code{Name: "TooManyRequests", Status: 429}
	ErrThroughputLimitExceeded        = &awserr.Code{Name: "ThroughputLimitExceeded", Status: 400}
	ErrUnsupportedAvailabilityZone    = &awserr.Code{Name: "UnsupportedAvailabilityZone", Status: 400}
	ErrValidation                     = &awserr.Code{Name: "ValidationException", Status: 400}
	ErrIncorrectMountTargetState      = &awserr.Code{Name: "IncorrectMountTargetState", Status: 409}
	ErrReplicationNotFound            = &awserr.Code{Name: "ReplicationNotFound", Status: 404}
	ErrDependencyTimeout              = &awserr.Code{Name: "DependencyTimeout", Status: 504, Receiver: true}
	ErrNetworkInterfaceLimitExceeded  = &awserr.Code{Name: "NetworkInterfaceLimitExceeded", Status: 409}
	ErrNoFreeAddressesInSubnet        = &awserr.Code{Name: "NoFreeAddressesInSubnet", Status: 409}
	ErrIPAddressInUse                 = &awserr.Code{Name: "IpAddressInUse", Status: 409}
	ErrAvailabilityZonesMismatch      = &awserr.Code{Name: "AvailabilityZonesMismatch", Status: 400}
	ErrInsufficientThroughputCapacity = &awserr.Code{Name: "InsufficientThroughputCapacity", Status: 503, Receiver: true}
	ErrSecurityGroupNotFound          = &awserr.Code{Name: "SecurityGroupNotFound", Status: 400}
)

// fail is an EFS error: each of EFS's error shapes carries its code in an ErrorCode member too.
func fail(c *awserr.Code, format string, args ...any) *awserr.Error {
	e := c.Errorf(format, args...)
	e.Fields = append(e.Fields, awserr.Field{Name: "ErrorCode", Value: c.Name})
	return e
}

func errField(name, value string) awserr.Field { return awserr.Field{Name: name, Value: value} }
