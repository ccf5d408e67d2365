package sam

// DeploymentPreference: gradual deployments of a function's AutoPublishAlias through
// CodeDeploy, expanded as aws-sam-translator does (one CodeDeploy application per template, a
// service role unless every preference names its own, a deployment group per function, and the
// alias's UpdatePolicy CodeDeployLambdaAliasUpdate that tells CloudFormation to shift traffic).

const (
	codeDeployApp  = "ServerlessDeploymentApplication"
	codeDeployRole = "CodeDeployServiceRole"
)

// predefinedConfigs are CodeDeploy's predefined Lambda deployment configurations, named without
// their "CodeDeployDefault.Lambda" prefix.
var predefinedConfigs = map[string]bool{
	"Canary10Percent5Minutes": true, "Canary10Percent10Minutes": true, "Canary10Percent15Minutes": true,
	"Canary10Percent30Minutes": true, "Linear10PercentEvery1Minute": true, "Linear10PercentEvery2Minutes": true,
	"Linear10PercentEvery3Minutes": true, "Linear10PercentEvery10Minutes": true, "AllAtOnce": true,
}

var preferenceProps = map[string]bool{"Type": true, "Alarms": true, "Hooks": true, "Enabled": true, "Role": true,
	"TriggerConfigurations": true, "PassthroughCondition": true}

// deploymentPreference adds the CodeDeploy resources of a function's DeploymentPreference and
// the UpdatePolicy of its alias; aliasID is "" without AutoPublishAlias.
func (x *expander) deploymentPreference(f *fn, aliasID string) error {
	raw, ok := f.props["DeploymentPreference"]
	if !ok {
		return nil
	}
	pref, ok := raw.(map[string]any)
	if !ok {
		return invalid(f.id, "Type of property 'DeploymentPreference' is invalid.")
	}
	for k := range pref {
		if !preferenceProps[k] {
			return invalid(f.id, "gureum does not support the DeploymentPreference property %s.", k)
		}
	}
	// Enabled and Type are resolved against the parameters (their defaults too), as the translator does.
	pref = clone(pref).(map[string]any)
	withDefaults := &expander{params: x.paramsWithDefaults()}
	for _, k := range []string{"Enabled", "Type"} {
		if v, ok := pref[k]; ok {
			pref[k] = withDefaults.resolveParams(v)
		}
	}
	switch pref["Enabled"] {
	case false, "false", "False":
		return nil
	}
	if p, ok := pref["PassthroughCondition"]; ok && p != false && p != "false" {
		return invalid(f.id, "gureum does not support DeploymentPreference.PassthroughCondition.")
	}
	if f.props["PropagateTags"] == true {
		return invalid(f.id, "gureum does not support PropagateTags with a DeploymentPreference.")
	}
	typ, ok := pref["Type"]
	if !ok {
		return invalid(f.id, "'DeploymentPreference' is missing required Property 'Type'")
	}
	hooks := map[string]any{}
	if h, ok := pref["Hooks"]; ok {
		if hooks, ok = h.(map[string]any); !ok {
			return invalid(f.id, "'Hooks' property of 'DeploymentPreference' must be a dictionary")
		}
	}
	if aliasID == "" {
		return invalid(f.id, "'DeploymentPreference' requires AutoPublishAlias property to be specified.")
	}
	group := map[string]any{
		"ApplicationName": ref(codeDeployApp),
		"AutoRollbackConfiguration": map[string]any{"Enabled": true,
			"Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"}},
		"DeploymentConfigName": configName(typ, ""),
		"DeploymentStyle":      map[string]any{"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
		"ServiceRoleArn":       getAtt(codeDeployRole, "Arn"),
	}
	if alarms, ok := pref["Alarms"]; ok && alarms != nil {
		l, isList := alarms.([]any)
		if !isList {
			return invalid(f.id, "Alarms must be a list")
		}
		if len(l) > 0 {
			named := make([]any, 0, len(l))
			for _, a := range l {
				named = append(named, map[string]any{"Name": a})
			}
			group["AlarmConfiguration"] = map[string]any{"Enabled": true, "Alarms": named}
		}
	}
	if role, ok := pref["Role"]; ok && role != nil {
		group["ServiceRoleArn"] = role
	} else {
		x.deployRoleNeeded = true
	}
	if t, ok := pref["TriggerConfigurations"]; ok && t != nil {
		group["TriggerConfigurations"] = t
	}
	x.out[f.id+"DeploymentGroup"] = map[string]any{"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": group}
	x.out[codeDeployApp] = map[string]any{"Type": "AWS::CodeDeploy::Application", "Properties": map[string]any{"ComputePlatform": "Lambda"}}
	update := map[string]any{"ApplicationName": ref(codeDeployApp), "DeploymentGroupName": ref(f.id + "DeploymentGroup")}
	if h, ok := hooks["PreTraffic"]; ok && h != nil {
		update["BeforeAllowTrafficHook"] = h
	}
	if h, ok := hooks["PostTraffic"]; ok && h != nil {
		update["AfterAllowTrafficHook"] = h
	}
	alias := x.out[aliasID].(map[string]any)
	alias["UpdatePolicy"] = map[string]any{"CodeDeployLambdaAliasUpdate": update}
	return nil
}

// finishDeployments adds the CodeDeploy service role when a preference needs it.
func (x *expander) finishDeployments() {
	if !x.deployRoleNeeded {
		return
	}
	x.out[codeDeployRole] = map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Action": []any{"sts:AssumeRole"}, "Effect": "Allow",
			"Principal": map[string]any{"Service": []any{"codedeploy.amazonaws.com"}}}}},
		"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"},
	}}
}

// configName is the deployment group's DeploymentConfigName for a preference's Type: a
// predefined configuration becomes an Fn::Sub of its full name (inside intrinsics too), any
// other value is kept.
func configName(v any, key string) any {
	switch t := v.(type) {
	case []any:
		for i, e := range t {
			t[i] = configName(e, "")
		}
		return t
	case map[string]any:
		if !isIntrinsic(t) {
			return t
		}
		for k, e := range t {
			t[k] = configName(e, k)
		}
		return t
	case string:
		if predefinedConfigs[t] {
			if key == "Fn::Sub" {
				return []any{"CodeDeployDefault.Lambda${ConfigName}", map[string]any{"ConfigName": t}}
			}
			return map[string]any{"Fn::Sub": []any{"CodeDeployDefault.Lambda${ConfigName}", map[string]any{"ConfigName": t}}}
		}
	}
	return v
}

// paramsWithDefaults is the stack's parameter values over the template's defaults.
func (x *expander) paramsWithDefaults() map[string]any {
	out := map[string]any{}
	decl, _ := x.tpl["Parameters"].(map[string]any)
	for k, d := range decl {
		if m, ok := d.(map[string]any); ok {
			if v, ok := m["Default"]; ok {
				out[k] = v
			}
		}
	}
	for k, v := range x.params {
		out[k] = v
	}
	return out
}
