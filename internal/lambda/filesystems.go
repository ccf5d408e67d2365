package lambda

import (
	"context"
	"regexp"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/efs"
	"github.com/gureum/gureum/internal/sandbox"
)

// FileSystems resolves a function's EFS access points to what its sandbox mounts;
// efs.Service satisfies it.
type FileSystems interface {
	ResolveMount(ctx context.Context, account, accessPointARN, role string) (efs.Mount, error)
}

// FileSystemConfig is one EFS access point a function mounts.
type FileSystemConfig struct {
	Arn            string `json:"Arn"`
	LocalMountPath string `json:"LocalMountPath"`
}

// VpcConfig is the network a function is attached to on AWS, recorded as given: gureum's
// functions reach gureum and, through it, its file systems without a VPC.
type VpcConfig struct {
	SubnetIds               []string `json:"SubnetIds,omitempty"`
	SecurityGroupIds        []string `json:"SecurityGroupIds,omitempty"`
	Ipv6AllowedForDualStack *bool    `json:"Ipv6AllowedForDualStack,omitempty"`
}

// VpcConfigResponse is a function's recorded VpcConfig.
type VpcConfigResponse struct {
	SubnetIds               []string `json:"SubnetIds"`
	SecurityGroupIds        []string `json:"SecurityGroupIds"`
	VpcId                   string   `json:"VpcId,omitempty"`
	Ipv6AllowedForDualStack bool     `json:"Ipv6AllowedForDualStack"`
}

var (
	localMountPathRE = regexp.MustCompile(`^/mnt/[a-zA-Z0-9-_.]+$`)
	accessPointRE    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z0-9-]+:\d{12}:access-point/fsap-[a-f0-9]{17}$`)
)

// vpcResponse records a VpcConfig; nil for none or an empty one.
func vpcResponse(v *VpcConfig) *VpcConfigResponse {
	if v == nil || (len(v.SubnetIds) == 0 && len(v.SecurityGroupIds) == 0) {
		return nil
	}
	r := &VpcConfigResponse{SubnetIds: append([]string{}, v.SubnetIds...), SecurityGroupIds: append([]string{}, v.SecurityGroupIds...)}
	if v.Ipv6AllowedForDualStack != nil {
		r.Ipv6AllowedForDualStack = *v.Ipv6AllowedForDualStack
	}
	if len(v.SubnetIds) > 0 {
		r.VpcId = "vpc-gureum"
	}
	return r
}

// checkFileSystems validates a configuration's file systems as Lambda does: at most one, a path
// under /mnt, an access point ARN, a VPC to reach it through, and an access point of the
// function's account that exists and its role may mount.
func (s *Service) checkFileSystems(ctx context.Context, c *FunctionConfiguration) error {
	if len(c.FileSystemConfigs) == 0 {
		return nil
	}
	if len(c.FileSystemConfigs) > 1 {
		return awserr.New(awserr.Validation, "1 validation error detected: Value at 'fileSystemConfigs' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	fc := c.FileSystemConfigs[0]
	if !localMountPathRE.MatchString(fc.LocalMountPath) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'fileSystemConfigs.1.member.localMountPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^/mnt/[a-zA-Z0-9-_.]+$", fc.LocalMountPath)
	}
	if !accessPointRE.MatchString(fc.Arn) {
		return awserr.New(awserr.Validation, "1 validation error detected: Value '%s' at 'fileSystemConfigs.1.member.arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z0-9-]+:\\d{12}:access-point/fsap-[a-f0-9]{17}", fc.Arn)
	}
	if c.VpcConfig == nil || len(c.VpcConfig.SubnetIds) == 0 {
		return invalid("Function %s must be configured to access resources in a VPC (VpcConfig with SubnetIds) to use a file system.", c.FunctionName)
	}
	if s.cfg.FileSystems == nil {
		return invalid("EFS file systems are not available on this server.")
	}
	if _, err := s.cfg.FileSystems.ResolveMount(ctx, accountOfARN(c.FunctionArn), fc.Arn, c.Role); err != nil {
		if e := awserr.As(err); e.Kind == awserr.AccessDenied {
			return invalid("The function's execution role %s may not mount %s: %s", c.Role, fc.Arn, e.Message)
		}
		return invalid("EFS access point %s cannot be mounted: %s", fc.Arn, awserr.As(err).Message)
	}
	return nil
}

// fileSystemMounts are the mounts of an environment of c.
func (s *Service) fileSystemMounts(c *FunctionConfiguration) ([]sandbox.Mount, error) {
	var out []sandbox.Mount
	for _, fc := range c.FileSystemConfigs {
		if s.cfg.FileSystems == nil {
			return nil, invalid("EFS file systems are not available on this server.")
		}
		m, err := s.cfg.FileSystems.ResolveMount(context.Background(), accountOfARN(c.FunctionArn), fc.Arn, c.Role)
		if err != nil {
			return nil, err
		}
		out = append(out, sandbox.Mount{Host: m.Dir, Path: fc.LocalMountPath, ReadOnly: m.ReadOnly, AsUser: m.HasUser, UID: m.UID, GID: m.GID, SecondaryGIDs: m.SecondaryGIDs})
	}
	return out, nil
}

func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}
