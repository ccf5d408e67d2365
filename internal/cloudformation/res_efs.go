package cloudformation

import (
	"context"
	"fmt"
	"strconv"
)

// EFS file systems, access points and mount targets, through efs's handlers; and Lambda layer
// versions.

func init() {
	providers["AWS::EFS::FileSystem"] = &provider{
		props: []string{"Encrypted", "KmsKeyId", "PerformanceMode", "ThroughputMode", "ProvisionedThroughputInMibps", "AvailabilityZoneName",
			"BackupPolicy", "FileSystemPolicy", "BypassPolicyLockoutSafetyCheck", "FileSystemTags", "LifecyclePolicies"},
		replace: []string{"Encrypted", "KmsKeyId", "PerformanceMode", "AvailabilityZoneName"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			in := map[string]any{"CreationToken": x.name(64), "Encrypted": str(props, "Encrypted") == "true", "Tags": tagList(map[string]any{"Tags": props["FileSystemTags"]})}
			for _, k := range []string{"KmsKeyId", "PerformanceMode", "ThroughputMode", "AvailabilityZoneName"} {
				if v := str(props, k); v != "" {
					in[k] = v
				}
			}
			if v := str(props, "ProvisionedThroughputInMibps"); v != "" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return fmt.Errorf("Property ProvisionedThroughputInMibps: %q is not a number", v)
				}
				in["ProvisionedThroughputInMibps"] = f
			}
			out, err := x.call(ctx, "efs", "CreateFileSystem", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["FileSystemId"].(string)
			r.Attrs = map[string]any{"FileSystemId": r.PhysicalID, "Arn": out["FileSystemArn"]}
			return efsSettings(ctx, x, r.PhysicalID, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if str(old, "ThroughputMode") != str(props, "ThroughputMode") || str(old, "ProvisionedThroughputInMibps") != str(props, "ProvisionedThroughputInMibps") {
				in := map[string]any{"FileSystemId": r.PhysicalID}
				if v := str(props, "ThroughputMode"); v != "" {
					in["ThroughputMode"] = v
				}
				if f, err := strconv.ParseFloat(str(props, "ProvisionedThroughputInMibps"), 64); err == nil {
					in["ProvisionedThroughputInMibps"] = f
				}
				if _, err := x.call(ctx, "efs", "UpdateFileSystem", in); err != nil {
					return err
				}
			}
			return efsSettings(ctx, x, r.PhysicalID, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "efs", "DeleteFileSystem", map[string]any{"FileSystemId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::EFS::AccessPoint"] = &provider{
		props:   []string{"FileSystemId", "PosixUser", "RootDirectory", "AccessPointTags", "ClientToken"},
		replace: []string{"FileSystemId", "PosixUser", "RootDirectory", "ClientToken"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			token := str(props, "ClientToken")
			if token == "" {
				token = x.name(64)
			}
			in := map[string]any{"ClientToken": token, "FileSystemId": str(props, "FileSystemId"), "Tags": tagList(map[string]any{"Tags": props["AccessPointTags"]})}
			if u := mapOf(props["PosixUser"]); u != nil {
				pu := map[string]any{}
				for _, k := range []string{"Uid", "Gid"} {
					if n, ok, err := num(u, k); err != nil {
						return fmt.Errorf("PosixUser.%w", err)
					} else if ok {
						pu[k] = n
					}
				}
				var gids []int64
				for _, g := range stringsOf(u["SecondaryGids"]) {
					n, err := strconv.ParseInt(g, 10, 64)
					if err != nil {
						return fmt.Errorf("PosixUser.SecondaryGids: %q is not an integer", g)
					}
					gids = append(gids, n)
				}
				if len(gids) > 0 {
					pu["SecondaryGids"] = gids
				}
				in["PosixUser"] = pu
			}
			if d := mapOf(props["RootDirectory"]); d != nil {
				rd := map[string]any{}
				if p := str(d, "Path"); p != "" {
					rd["Path"] = p
				}
				if c := mapOf(d["CreationInfo"]); c != nil {
					ci := map[string]any{"Permissions": str(c, "Permissions")}
					for _, k := range []string{"OwnerUid", "OwnerGid"} {
						if n, ok, err := num(c, k); err != nil {
							return fmt.Errorf("RootDirectory.CreationInfo.%w", err)
						} else if ok {
							ci[k] = n
						}
					}
					rd["CreationInfo"] = ci
				}
				in["RootDirectory"] = rd
			}
			out, err := x.call(ctx, "efs", "CreateAccessPoint", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["AccessPointId"].(string)
			r.Attrs = map[string]any{"AccessPointId": r.PhysicalID, "Arn": out["AccessPointArn"]}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return efsTags(ctx, x, r.PhysicalID, old["AccessPointTags"], props["AccessPointTags"])
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "efs", "DeleteAccessPoint", map[string]any{"AccessPointId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::EFS::MountTarget"] = &provider{
		props:   []string{"FileSystemId", "SubnetId", "SecurityGroups", "IpAddress", "IpAddressType", "Ipv6Address"},
		replace: []string{"FileSystemId", "SubnetId", "IpAddress", "IpAddressType", "Ipv6Address"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			in := map[string]any{"FileSystemId": str(props, "FileSystemId"), "SubnetId": str(props, "SubnetId"), "SecurityGroups": stringsOf(props["SecurityGroups"])}
			for _, k := range []string{"IpAddress", "IpAddressType", "Ipv6Address"} {
				if v := str(props, k); v != "" {
					in[k] = v
				}
			}
			out, err := x.call(ctx, "efs", "CreateMountTarget", in)
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["MountTargetId"].(string)
			r.Attrs = map[string]any{"Id": r.PhysicalID, "IpAddress": out["IpAddress"]}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			_, err := x.call(ctx, "efs", "ModifyMountTargetSecurityGroups", map[string]any{"MountTargetId": r.PhysicalID, "SecurityGroups": stringsOf(props["SecurityGroups"])})
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "efs", "DeleteMountTarget", map[string]any{"MountTargetId": r.PhysicalID})
			return err
		},
	}
	providers["AWS::Lambda::LayerVersion"] = &provider{
		props:   []string{"LayerName", "Content", "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"},
		replace: []string{"*"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			content := mapOf(props["Content"])
			if content == nil || str(content, "S3Bucket") == "" || str(content, "S3Key") == "" {
				return fmt.Errorf("Property Content needs S3Bucket and S3Key")
			}
			zipped, err := functionCode(ctx, x, map[string]any{"Code": map[string]any{"S3Bucket": content["S3Bucket"], "S3Key": content["S3Key"],
				"S3ObjectVersion": content["S3ObjectVersion"]}})
			if err != nil {
				return err
			}
			name := str(props, "LayerName")
			if name == "" {
				name = x.name(64)
			}
			in := map[string]any{"LayerName": name, "Content": map[string]any{"ZipFile": zipped}, "Description": str(props, "Description"),
				"LicenseInfo": str(props, "LicenseInfo"), "CompatibleRuntimes": stringsOf(props["CompatibleRuntimes"]),
				"CompatibleArchitectures": stringsOf(props["CompatibleArchitectures"])}
			out, err := x.call(ctx, "lambda", "PublishLayerVersion", in)
			if err != nil {
				return err
			}
			arn, _ := out["LayerVersionArn"].(string)
			r.PhysicalID = arn
			r.Attrs = map[string]any{"LayerVersionArn": arn}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			layer, version := splitQualified(r.PhysicalID)
			name := layer[lastColon(layer)+1:]
			n, err := strconv.ParseInt(version, 10, 64)
			if err != nil {
				return fmt.Errorf("layer version ARN %s has no version", r.PhysicalID)
			}
			_, err = x.call(ctx, "lambda", "DeleteLayerVersion", map[string]any{"LayerName": name, "VersionNumber": n})
			return err
		},
	}
}

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// efsSettings applies a file system's policy, backup policy, lifecycle policies and tags that
// changed from old to props.
func efsSettings(ctx context.Context, x *exec, id string, old, props map[string]any) error {
	changed := func(k string) bool { return fmt.Sprint(normal(old[k])) != fmt.Sprint(normal(props[k])) }
	if changed("FileSystemPolicy") {
		var err error
		if p, ok := props["FileSystemPolicy"]; ok {
			_, err = x.call(ctx, "efs", "PutFileSystemPolicy", map[string]any{"FileSystemId": id, "Policy": jsonText(p),
				"BypassPolicyLockoutSafetyCheck": str(props, "BypassPolicyLockoutSafetyCheck") == "true"})
		} else {
			_, err = x.call(ctx, "efs", "DeleteFileSystemPolicy", map[string]any{"FileSystemId": id})
		}
		if err != nil {
			return fmt.Errorf("FileSystemPolicy: %w", err)
		}
	}
	if changed("BackupPolicy") {
		status := str(mapOf(props["BackupPolicy"]), "Status")
		if status == "" {
			status = "DISABLED"
		}
		if _, err := x.call(ctx, "efs", "PutBackupPolicy", map[string]any{"FileSystemId": id, "BackupPolicy": map[string]any{"Status": status}}); err != nil {
			return fmt.Errorf("BackupPolicy: %w", err)
		}
	}
	if changed("LifecyclePolicies") {
		var policies []map[string]any
		for _, p := range sliceOfMaps(props["LifecyclePolicies"]) {
			lp := map[string]any{}
			for _, k := range []string{"TransitionToIA", "TransitionToPrimaryStorageClass", "TransitionToArchive"} {
				if v := str(p, k); v != "" {
					lp[k] = v
				}
			}
			policies = append(policies, lp)
		}
		if policies == nil {
			policies = []map[string]any{}
		}
		if _, err := x.call(ctx, "efs", "PutLifecycleConfiguration", map[string]any{"FileSystemId": id, "LifecyclePolicies": policies}); err != nil {
			return fmt.Errorf("LifecyclePolicies: %w", err)
		}
	}
	if old != nil && changed("FileSystemTags") {
		return efsTags(ctx, x, id, old["FileSystemTags"], props["FileSystemTags"])
	}
	return nil
}

// efsTags moves a resource's tags from old to now.
func efsTags(ctx context.Context, x *exec, id string, old, now any) error {
	want := tagMap(map[string]any{"Tags": now})
	var gone []string
	for k := range tagMap(map[string]any{"Tags": old}) {
		if _, ok := want[k]; !ok {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		if _, err := x.call(ctx, "efs", "UntagResource", map[string]any{"ResourceId": id, "tagKeys": gone}); err != nil {
			return err
		}
	}
	if len(want) > 0 {
		if _, err := x.call(ctx, "efs", "TagResource", map[string]any{"ResourceId": id, "Tags": tagList(map[string]any{"Tags": now})}); err != nil {
			return err
		}
	}
	return nil
}
