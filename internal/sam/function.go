package sam

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// functionProps are the AWS::Serverless::Function properties the transform supports.
var functionProps = map[string]bool{
	"FunctionName": true, "Handler": true, "Runtime": true, "CodeUri": true, "InlineCode": true, "Description": true,
	"MemorySize": true, "Timeout": true, "Role": true, "Policies": true, "AssumeRolePolicyDocument": true, "RolePath": true,
	"PermissionsBoundary": true, "Environment": true, "Events": true, "Tags": true, "Layers": true,
	"ReservedConcurrentExecutions": true, "DeadLetterQueue": true, "Tracing": true, "Architectures": true, "EphemeralStorage": true,
	"AutoPublishAlias": true, "AutoPublishAliasAllProperties": true, "VersionDescription": true, "LoggingConfig": true,
	"PackageType": true, "RecursiveLoop": true, "RuntimeManagementConfig": true, "SnapStart": true, "PropagateTags": true,
	"DeploymentPreference": true, "VpcConfig": true, "FileSystemConfigs": true,
}

// passThrough are properties copied to the AWS::Lambda::Function as they are.
var passThrough = []string{"FunctionName", "Handler", "Runtime", "Description", "MemorySize", "Timeout", "Environment", "Layers",
	"ReservedConcurrentExecutions", "Architectures", "EphemeralStorage", "LoggingConfig", "PackageType", "RecursiveLoop",
	"RuntimeManagementConfig", "SnapStart", "VpcConfig", "FileSystemConfigs"}

const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// fn is one function being expanded.
type fn struct {
	id      string
	def     map[string]any
	props   map[string]any
	role    map[string]any // the generated role's properties, nil with Role given
	managed []any          // managed policies the events add
	target  any            // what events invoke: the function, or its alias
	tags    []any
	pending []any // inline policies added before the role exists
}

func (x *expander) function(id string, def map[string]any) error {
	props, _ := def["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	localTags, _ := props["Tags"].(map[string]any)
	props = applyGlobals(x.globals["Function"], props, def["IgnoreGlobals"])
	var unknown []string
	for k := range props {
		if !functionProps[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalid(id, "gureum does not support these properties of AWS::Serverless::Function: %s.", strings.Join(unknown, ", "))
	}
	f := &fn{id: id, def: def, props: props, target: ref(id)}
	lambda := map[string]any{}
	for _, k := range passThrough {
		if v, ok := props[k]; ok {
			lambda[k] = v
		}
	}
	code, err := codeOf(id, props)
	if err != nil {
		return err
	}
	lambda["Code"] = code
	if dlq, ok := props["DeadLetterQueue"].(map[string]any); ok {
		lambda["DeadLetterConfig"] = map[string]any{"TargetArn": dlq["TargetArn"]}
		switch dlq["Type"] {
		case "SQS":
			f.statementPolicy(map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dlq["TargetArn"]}, "DeadLetterQueuePolicy")
		case "SNS":
			f.statementPolicy(map[string]any{"Action": "sns:Publish", "Effect": "Allow", "Resource": dlq["TargetArn"]}, "DeadLetterQueuePolicy")
		default:
			return invalid(id, "'DeadLetterQueue' requires Type of SNS or SQS")
		}
	}
	if t, ok := props["Tracing"]; ok {
		lambda["TracingConfig"] = map[string]any{"Mode": t}
	}
	// Tags in the translator's order: the global ones, then the function's own (each sorted,
	// as the template's order is not kept).
	tags := []any{map[string]any{"Key": "lambda:createdBy", "Value": "SAM"}}
	if tm, ok := props["Tags"].(map[string]any); ok {
		var global, local []string
		for k := range tm {
			if _, own := localTags[k]; own && x.globals["Function"]["Tags"] == nil || own && !hasKey(x.globals["Function"]["Tags"], k) {
				local = append(local, k)
			} else {
				global = append(global, k)
			}
		}
		sort.Strings(global)
		sort.Strings(local)
		for _, k := range append(global, local...) {
			tags = append(tags, map[string]any{"Key": k, "Value": tm[k]})
		}
	}
	lambda["Tags"] = tags
	f.tags = tags
	if r, ok := props["Role"]; ok {
		lambda["Role"] = r
		f.pending = nil
	} else {
		if err := f.buildRole(); err != nil {
			return err
		}
		f.role["Policies"] = append(f.role["Policies"].([]any), f.pending...)
		lambda["Role"] = getAtt(id+"Role", "Arn")
	}
	x.out[id] = resourceAttrs(def, map[string]any{"Type": "AWS::Lambda::Function", "Properties": lambda})
	if alias, ok := props["AutoPublishAlias"]; ok {
		name, isStr := alias.(string)
		if !isStr || !regexp.MustCompile(`^[a-zA-Z0-9]+$`).MatchString(name) {
			return invalid(id, "'AutoPublishAlias' must be a string made of letters and digits.")
		}
		x.publish(f, lambda, name)
	}
	if err := x.deploymentPreference(f, x.aliases[id+".Alias"]); err != nil {
		return err
	}
	events, _ := props["Events"].(map[string]any)
	names := make([]string, 0, len(events))
	for n := range events {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ev, _ := events[n].(map[string]any)
		if err := x.event(f, n, ev); err != nil {
			return err
		}
	}
	if f.role != nil {
		f.role["ManagedPolicyArns"] = append(f.role["ManagedPolicyArns"].([]any), f.managed...)
		if len(f.role["Policies"].([]any)) == 0 {
			delete(f.role, "Policies")
		}
		role := map[string]any{"Type": "AWS::IAM::Role", "Properties": f.role}
		if c, ok := def["Condition"]; ok {
			role["Condition"] = c
		}
		x.out[id+"Role"] = role
	}
	return nil
}

// codeOf reads CodeUri (an s3:// URI or {Bucket, Key, Version}) or InlineCode.
func codeOf(id string, props map[string]any) (map[string]any, error) {
	if inline, ok := props["InlineCode"]; ok {
		if _, both := props["CodeUri"]; both {
			return nil, invalid(id, "Specify either 'CodeUri' or 'InlineCode'.")
		}
		return map[string]any{"ZipFile": inline}, nil
	}
	switch u := props["CodeUri"].(type) {
	case nil:
		return nil, invalid(id, "Either 'InlineCode' or 'CodeUri' must be set. (gureum deploy, or aws cloudformation package, uploads a local CodeUri first.)")
	case string:
		rest, ok := strings.CutPrefix(u, "s3://")
		bucket, key, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || bucket == "" || key == "" {
			return nil, invalid(id, "'CodeUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter. (A local path must be uploaded first: gureum deploy, or aws cloudformation package.)")
		}
		code := map[string]any{"S3Bucket": bucket}
		if k, v, found := strings.Cut(key, "?versionId="); found {
			code["S3Key"], code["S3ObjectVersion"] = k, v
		} else {
			code["S3Key"] = key
		}
		return code, nil
	case map[string]any:
		if isIntrinsic(u) {
			return nil, invalid(id, "'CodeUri' requires Bucket and Key properties to be specified.")
		}
		code := map[string]any{"S3Bucket": u["Bucket"], "S3Key": u["Key"]}
		if u["Bucket"] == nil || u["Key"] == nil {
			return nil, invalid(id, "'CodeUri' requires Bucket and Key properties to be specified.")
		}
		if v, ok := u["Version"]; ok {
			code["S3ObjectVersion"] = v
		}
		return code, nil
	}
	return nil, invalid(id, "'CodeUri' must be an S3 URI or a Bucket and Key.")
}

// buildRole generates the function's execution role from its Policies.
func (f *fn) buildRole() error {
	trust := f.props["AssumeRolePolicyDocument"]
	if trust == nil {
		trust = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": []any{"sts:AssumeRole"},
			"Effect": "Allow", "Principal": map[string]any{"Service": []any{"lambda.amazonaws.com"}}}}}
	}
	f.role = map[string]any{"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": []any{basicExecution}, "Policies": []any{},
		"Tags": f.tags}
	if _, ok := f.props["VpcConfig"]; ok {
		f.role["ManagedPolicyArns"] = append(f.role["ManagedPolicyArns"].([]any), "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
	}
	for _, k := range []string{"PermissionsBoundary"} {
		if v, ok := f.props[k]; ok {
			f.role[k] = v
		}
	}
	if p, ok := f.props["RolePath"]; ok {
		f.role["Path"] = p
	}
	var policies []any
	switch p := f.props["Policies"].(type) {
	case nil:
	case []any:
		policies = p
	default:
		policies = []any{p}
	}
	for i, p := range policies {
		switch v := p.(type) {
		case string:
			f.role["ManagedPolicyArns"] = append(f.role["ManagedPolicyArns"].([]any), managedARN(v))
		case map[string]any:
			if _, ok := v["Statement"]; ok {
				f.role["Policies"] = append(f.role["Policies"].([]any), map[string]any{"PolicyName": fmt.Sprintf("%sRolePolicy%d", f.id, i), "PolicyDocument": v})
				continue
			}
			if isIntrinsic(v) {
				f.role["ManagedPolicyArns"] = append(f.role["ManagedPolicyArns"].([]any), v)
				continue
			}
			if len(v) != 1 {
				return invalid(f.id, "Policy at index %d must be a managed policy name, a policy document or one policy template.", i)
			}
			for name, params := range v {
				t, ok := policyTemplates[name]
				if !ok {
					return invalid(f.id, "Policy template '%s' is not supported by gureum.", name)
				}
				pm, _ := params.(map[string]any)
				for _, need := range t.params {
					if _, ok := pm[need]; !ok {
						return invalid(f.id, "Must specify valid parameter values for policy template '%s'. Parameter '%s' is missing.", name, need)
					}
				}
				f.role["Policies"] = append(f.role["Policies"].([]any), map[string]any{"PolicyName": fmt.Sprintf("%sRolePolicy%d", f.id, i),
					"PolicyDocument": map[string]any{"Statement": t.statements(pm)}})
			}
		default:
			return invalid(f.id, "Policy at index %d is not valid.", i)
		}
	}
	return nil
}

// statementPolicy adds an inline policy the function's features need (a dead-letter queue).
func (f *fn) statementPolicy(stmt map[string]any, name string) {
	if f.role == nil {
		f.pending = append(f.pending, map[string]any{"PolicyName": name, "PolicyDocument": map[string]any{"Version": "2012-10-17",
			"Statement": []any{stmt}}})
		return
	}
	f.role["Policies"] = append(f.role["Policies"].([]any), map[string]any{"PolicyName": name, "PolicyDocument": map[string]any{"Version": "2012-10-17",
		"Statement": []any{stmt}}})
}

// managedARN is a managed policy's ARN: names are AWS managed policies.
func managedARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return "arn:aws:iam::aws:policy/" + name
}

// publish adds the version and alias of AutoPublishAlias; events then invoke the alias.
func (x *expander) publish(f *fn, lambda map[string]any, alias string) {
	var data any
	if f.props["AutoPublishAliasAllProperties"] == true {
		data = lambda
	} else {
		d := map[string]any{}
		for k, v := range x.resolveParams(lambda["Code"]).(map[string]any) {
			d[k] = v
		}
		if env, ok := lambda["Environment"].(map[string]any); ok {
			for k, v := range env {
				d[k] = v
			}
		}
		if m, ok := lambda["MemorySize"]; ok {
			d["MemorySize"] = m
		}
		if s, ok := lambda["SnapStart"]; ok {
			d["SnapStart"] = s
		}
		data = d
	}
	version := f.id + "Version" + hash(data)
	vprops := map[string]any{"FunctionName": ref(f.id)}
	if d, ok := f.props["VersionDescription"]; ok {
		vprops["Description"] = d
	}
	x.out[version] = map[string]any{"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": vprops}
	aliasID := f.id + "Alias" + alias
	x.out[aliasID] = map[string]any{"Type": "AWS::Lambda::Alias", "Properties": map[string]any{"Name": alias, "FunctionName": ref(f.id),
		"FunctionVersion": getAtt(version, "Version")}}
	if x.aliases == nil {
		x.aliases = map[string]string{}
	}
	x.aliases[f.id+".Alias"], x.aliases[f.id+".Version"] = aliasID, version
	f.target = ref(aliasID)
}

func hasKey(m any, k string) bool {
	mm, _ := m.(map[string]any)
	_, ok := mm[k]
	return ok
}
