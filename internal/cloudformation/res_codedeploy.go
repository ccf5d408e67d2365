package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CodeDeploy's applications and deployment groups, and the UpdatePolicy
// CodeDeployLambdaAliasUpdate: an alias so governed moves to a new version through a CodeDeploy
// deployment (traffic shifted as the group's configuration says, hooks run, rolled back by
// CodeDeploy on failure, which fails the stack's update).

func init() {
	providers["AWS::CodeDeploy::Application"] = &provider{
		props:   []string{"ApplicationName", "ComputePlatform", "Tags"},
		replace: []string{"ApplicationName", "ComputePlatform"},
		name:    "ApplicationName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "ApplicationName")
			if name == "" {
				name = x.name(100)
			}
			in := map[string]any{"applicationName": name, "computePlatform": str(props, "ComputePlatform")}
			if _, err := x.call(ctx, "codedeploy", "CreateApplication", in); err != nil {
				return err
			}
			r.PhysicalID = name
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "codedeploy", "DeleteApplication", map[string]any{"applicationName": r.PhysicalID})
			return err
		},
	}
	providers["AWS::CodeDeploy::DeploymentGroup"] = &provider{
		props: []string{"ApplicationName", "DeploymentGroupName", "DeploymentConfigName", "ServiceRoleArn", "AlarmConfiguration",
			"AutoRollbackConfiguration", "DeploymentStyle", "TriggerConfigurations", "Tags"},
		replace: []string{"ApplicationName"},
		name:    "DeploymentGroupName",
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			name := str(props, "DeploymentGroupName")
			if name == "" {
				name = x.name(100)
			}
			in := groupInput(props)
			in["deploymentGroupName"] = name
			if _, err := x.call(ctx, "codedeploy", "CreateDeploymentGroup", in); err != nil {
				return err
			}
			r.PhysicalID = name
			r.Extra = map[string]string{"ApplicationName": str(props, "ApplicationName")}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			in := groupInput(props)
			in["currentDeploymentGroupName"] = r.PhysicalID
			if n := str(props, "DeploymentGroupName"); n != "" && n != r.PhysicalID {
				in["newDeploymentGroupName"] = n
			}
			if _, err := x.call(ctx, "codedeploy", "UpdateDeploymentGroup", in); err != nil {
				return err
			}
			if n := str(props, "DeploymentGroupName"); n != "" {
				r.PhysicalID = n
			}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "codedeploy", "DeleteDeploymentGroup", map[string]any{"applicationName": r.Extra["ApplicationName"],
				"deploymentGroupName": r.PhysicalID})
			return err
		},
	}
}

// groupInput is CreateDeploymentGroup's and UpdateDeploymentGroup's input from a template's
// properties (CloudFormation names members in PascalCase, the API in camelCase).
func groupInput(props map[string]any) map[string]any {
	in := map[string]any{"applicationName": str(props, "ApplicationName")}
	for _, k := range []string{"DeploymentConfigName", "ServiceRoleArn"} {
		if v := str(props, k); v != "" {
			in[camel(k)] = v
		}
	}
	for _, k := range []string{"AlarmConfiguration", "AutoRollbackConfiguration", "DeploymentStyle", "TriggerConfigurations"} {
		if v, ok := props[k]; ok {
			in[camel(k)] = camelKeys(v)
		}
	}
	return in
}

func camel(k string) string {
	r, n := utf8.DecodeRuneInString(k)
	return string(unicode.ToLower(r)) + k[n:]
}

// camelKeys renames a document's members to camelCase, all the way down.
func camelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[camel(k)] = camelKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = camelKeys(e)
		}
		return out
	}
	return v
}

// aliasDeployPoll is how often an alias update waits between reads of its deployment.
const aliasDeployPoll = 200 * time.Millisecond

// deployAlias moves an alias governed by CodeDeployLambdaAliasUpdate to a new version through a
// CodeDeploy deployment and waits for its end; the deployment's id is kept on the resource
// first, so an operation resumed on another node waits for the same deployment. handled is
// false when no deployment is needed (a new alias, or one at the version already).
func deployAlias(ctx context.Context, x *exec, r *resourceState, props map[string]any) (handled bool, err error) {
	policy, _ := x.policy["CodeDeployLambdaAliasUpdate"].(map[string]any)
	if policy == nil || !x.s.calls.served("codedeploy", "CreateDeployment") {
		return false, nil
	}
	fn, alias, target := str(props, "FunctionName"), str(props, "Name"), str(props, "FunctionVersion")
	id := ""
	if r.Extra != nil && r.Extra["DeploymentTarget"] == target {
		id = r.Extra["Deployment"]
	}
	if id == "" {
		cur, err := x.call(ctx, "lambda", "GetAlias", map[string]any{"FunctionName": fn, "Name": alias})
		if err != nil {
			return false, err
		}
		current, _ := cur["FunctionVersion"].(string)
		if current == target || current == "" {
			return false, nil
		}
		spec := map[string]any{"version": 0.0, "Resources": []any{map[string]any{x.logical: map[string]any{
			"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Name": fn, "Alias": alias,
				"CurrentVersion": current, "TargetVersion": target}}}}}
		var hooks []any
		if h := str(policy, "BeforeAllowTrafficHook"); h != "" {
			hooks = append(hooks, map[string]any{"BeforeAllowTraffic": h})
		}
		if h := str(policy, "AfterAllowTrafficHook"); h != "" {
			hooks = append(hooks, map[string]any{"AfterAllowTraffic": h})
		}
		if hooks != nil {
			spec["Hooks"] = hooks
		}
		content, _ := json.Marshal(spec)
		out, err := x.call(ctx, "codedeploy", "CreateDeployment", map[string]any{
			"applicationName": str(policy, "ApplicationName"), "deploymentGroupName": str(policy, "DeploymentGroupName"),
			"description": "Deployment of " + alias + " by CloudFormation stack " + x.stack.Name,
			"revision":    map[string]any{"revisionType": "AppSpecContent", "appSpecContent": map[string]any{"content": string(content)}}})
		if err != nil {
			return true, err
		}
		id, _ = out["deploymentId"].(string)
		if r.Extra == nil {
			r.Extra = map[string]string{}
		}
		r.Extra["Deployment"], r.Extra["DeploymentTarget"] = id, target
		if _, err := x.s.mutate(ctx, x.stack.ID, false, func(c *change) error {
			if cr := c.d.Resources[x.logical]; cr != nil {
				if cr.Extra == nil {
					cr.Extra = map[string]string{}
				}
				cr.Extra["Deployment"], cr.Extra["DeploymentTarget"] = id, target
			}
			return nil
		}); err != nil {
			return true, err
		}
	}
	for {
		out, err := x.call(ctx, "codedeploy", "GetDeployment", map[string]any{"deploymentId": id})
		if err != nil {
			return true, err
		}
		info, _ := out["deploymentInfo"].(map[string]any)
		switch status, _ := info["status"].(string); status {
		case "Succeeded":
			delete(r.Extra, "Deployment")
			delete(r.Extra, "DeploymentTarget")
			return true, nil
		case "Failed", "Stopped":
			msg := ""
			if e, ok := info["errorInformation"].(map[string]any); ok {
				msg, _ = e["message"].(string)
			}
			return true, fmt.Errorf("CodeDeploy deployment %s %s: %s", id, strings.ToLower(status), msg)
		}
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-x.s.clock.After(aliasDeployPoll):
		}
	}
}
