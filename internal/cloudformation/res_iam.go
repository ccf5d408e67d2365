package cloudformation

import (
	"context"
	"slices"
)

// Roles and their policies (IAM).

func init() {
	providers["AWS::IAM::Role"] = &provider{
		props: []string{"RoleName", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "Path", "Description",
			"MaxSessionDuration", "PermissionsBoundary", "Tags"},
		replace: []string{"RoleName", "Path"},
		name:    "RoleName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "RoleName")
			if name == "" {
				name = x.name(64)
			}
			in := map[string]any{"RoleName": name, "AssumeRolePolicyDocument": jsonText(props["AssumeRolePolicyDocument"]),
				"Path": str(props, "Path"), "Description": str(props, "Description"), "PermissionsBoundary": str(props, "PermissionsBoundary"),
				"Tags": tagList(props)}
			if n, ok, _ := num(props, "MaxSessionDuration"); ok {
				in["MaxSessionDuration"] = n
			}
			out, err := x.call(ctx, "iam", "CreateRole", in)
			if err != nil {
				return err
			}
			role, _ := out["Role"].(map[string]any)
			r.PhysicalID = name
			r.Attrs = map[string]any{"Arn": role["Arn"], "RoleId": role["RoleId"]}
			return syncRolePolicies(ctx, x, name, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			if jsonText(old["AssumeRolePolicyDocument"]) != jsonText(props["AssumeRolePolicyDocument"]) {
				if _, err := x.call(ctx, "iam", "UpdateAssumeRolePolicy", map[string]any{"RoleName": r.PhysicalID,
					"PolicyDocument": jsonText(props["AssumeRolePolicyDocument"])}); err != nil {
					return err
				}
			}
			return syncRolePolicies(ctx, x, r.PhysicalID, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			if err := syncRolePolicies(ctx, x, r.PhysicalID, r.Props, nil); err != nil && !notFound(err) {
				return err
			}
			_, err := x.call(ctx, "iam", "DeleteRole", map[string]any{"RoleName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::IAM::Policy"] = &provider{
		props:   []string{"PolicyName", "PolicyDocument", "Roles", "Users", "Groups"},
		replace: []string{"PolicyName"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			r.PhysicalID = x.name(128)
			return putPolicy(ctx, x, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return putPolicy(ctx, x, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			return putPolicy(ctx, x, r.Props, nil)
		},
	}
	providers["AWS::IAM::ManagedPolicy"] = &provider{
		props:   []string{"ManagedPolicyName", "PolicyDocument", "Path", "Description", "Roles", "Users", "Groups"},
		replace: []string{"ManagedPolicyName", "Path", "Description", "PolicyDocument"},
		name:    "ManagedPolicyName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "ManagedPolicyName")
			if name == "" {
				name = x.name(128)
			}
			out, err := x.call(ctx, "iam", "CreatePolicy", map[string]any{"PolicyName": name, "Path": str(props, "Path"),
				"Description": str(props, "Description"), "PolicyDocument": jsonText(props["PolicyDocument"])})
			if err != nil {
				return err
			}
			pol, _ := out["Policy"].(map[string]any)
			arn, _ := pol["Arn"].(string)
			r.PhysicalID = arn
			r.Attrs = map[string]any{"PolicyArn": arn}
			return attachManaged(ctx, x, arn, nil, props)
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return attachManaged(ctx, x, r.PhysicalID, old, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			if err := attachManaged(ctx, x, r.PhysicalID, r.Props, nil); err != nil && !notFound(err) {
				return err
			}
			_, err := x.call(ctx, "iam", "DeletePolicy", map[string]any{"PolicyArn": r.PhysicalID})
			return err
		},
	}
}

// inlinePolicies reads a role's Policies as name → document.
func inlinePolicies(props map[string]any) map[string]string {
	out := map[string]string{}
	l, _ := props["Policies"].([]any)
	for _, p := range l {
		m, _ := p.(map[string]any)
		out[str(m, "PolicyName")] = jsonText(m["PolicyDocument"])
	}
	return out
}

// syncRolePolicies moves a role's inline and attached policies from old's to props's.
func syncRolePolicies(ctx context.Context, x *exec, role string, old, props map[string]any) error {
	was, now := inlinePolicies(old), inlinePolicies(props)
	for name, doc := range now {
		if was[name] == doc {
			continue
		}
		if _, err := x.call(ctx, "iam", "PutRolePolicy", map[string]any{"RoleName": role, "PolicyName": name, "PolicyDocument": doc}); err != nil {
			return err
		}
	}
	for name := range was {
		if _, keep := now[name]; !keep {
			if _, err := x.call(ctx, "iam", "DeleteRolePolicy", map[string]any{"RoleName": role, "PolicyName": name}); err != nil && !notFound(err) {
				return err
			}
		}
	}
	wasArns, nowArns := stringsOf(old["ManagedPolicyArns"]), stringsOf(props["ManagedPolicyArns"])
	for _, arn := range nowArns {
		if !slices.Contains(wasArns, arn) {
			if _, err := x.call(ctx, "iam", "AttachRolePolicy", map[string]any{"RoleName": role, "PolicyArn": arn}); err != nil {
				return err
			}
		}
	}
	for _, arn := range wasArns {
		if !slices.Contains(nowArns, arn) {
			if _, err := x.call(ctx, "iam", "DetachRolePolicy", map[string]any{"RoleName": role, "PolicyArn": arn}); err != nil && !notFound(err) {
				return err
			}
		}
	}
	return nil
}

// putPolicy moves an inline policy from old's principals to props's.
func putPolicy(ctx context.Context, x *exec, old, props map[string]any) error {
	kinds := []struct{ prop, put, del, key string }{
		{"Roles", "PutRolePolicy", "DeleteRolePolicy", "RoleName"},
		{"Users", "PutUserPolicy", "DeleteUserPolicy", "UserName"},
		{"Groups", "PutGroupPolicy", "DeleteGroupPolicy", "GroupName"},
	}
	name, oldName := str(props, "PolicyName"), str(old, "PolicyName")
	for _, k := range kinds {
		now, was := stringsOf(props[k.prop]), stringsOf(old[k.prop])
		for _, who := range now {
			if _, err := x.call(ctx, "iam", k.put, map[string]any{k.key: who, "PolicyName": name, "PolicyDocument": jsonText(props["PolicyDocument"])}); err != nil {
				return err
			}
		}
		for _, who := range was {
			if props != nil && slices.Contains(now, who) && oldName == name {
				continue
			}
			if _, err := x.call(ctx, "iam", k.del, map[string]any{k.key: who, "PolicyName": oldName}); err != nil && !notFound(err) {
				return err
			}
		}
	}
	return nil
}

// attachManaged moves a managed policy's attachments from old's principals to props's.
func attachManaged(ctx context.Context, x *exec, arn string, old, props map[string]any) error {
	kinds := []struct{ prop, attach, detach, key string }{
		{"Roles", "AttachRolePolicy", "DetachRolePolicy", "RoleName"},
		{"Users", "AttachUserPolicy", "DetachUserPolicy", "UserName"},
		{"Groups", "AttachGroupPolicy", "DetachGroupPolicy", "GroupName"},
	}
	for _, k := range kinds {
		now, was := stringsOf(props[k.prop]), stringsOf(old[k.prop])
		for _, who := range now {
			if !slices.Contains(was, who) {
				if _, err := x.call(ctx, "iam", k.attach, map[string]any{k.key: who, "PolicyArn": arn}); err != nil {
					return err
				}
			}
		}
		for _, who := range was {
			if !slices.Contains(now, who) {
				if _, err := x.call(ctx, "iam", k.detach, map[string]any{k.key: who, "PolicyArn": arn}); err != nil && !notFound(err) {
					return err
				}
			}
		}
	}
	return nil
}
